/**
 * Group commit: callers hand in batches of statements and wait; while one commit is in flight,
 * everything handed in meanwhile waits to go together in the next one (one D1 transaction for many
 * accounts' rows). Each caller's statements stay together and in order, and callers are committed in
 * the order they came, so one account's rows, sent one batch at a time, land in order. When a group
 * fails, each of its batches is tried again on its own before anyone is told, so one bad batch fails
 * alone and never takes the others down with it.
 */
export class GroupCommit<S> {
  private waiting: { items: S[]; settle: (error?: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly commit: (items: S[]) => Promise<void>,
    /** Statements per commit at most (a single larger batch still goes, alone). */
    private readonly max = 500,
  ) {}

  /** Resolves once `items` are committed (with others, or alone), rejects with the error of its own commit. */
  submit(items: S[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.running) void this.run();
    });
  }

  private async run() {
    this.running = true;
    try {
      while (this.waiting.length) {
        const group = [this.waiting.shift()!];
        let size = group[0].items.length;
        while (this.waiting.length && size + this.waiting[0].items.length <= this.max) {
          size += this.waiting[0].items.length;
          group.push(this.waiting.shift()!);
        }
        await this.commitGroup(group);
      }
    } finally {
      this.running = false;
    }
  }

  private async commitGroup(group: { items: S[]; settle: (error?: unknown) => void }[]) {
    try {
      await this.commit(group.flatMap((g) => g.items));
      for (const g of group) g.settle();
    } catch (error) {
      if (group.length === 1) return group[0].settle(error ?? new Error("commit failed"));
      for (const g of group) await this.commitGroup([g]);
    }
  }
}
