import { endableWait } from "#core";

/**
 * Group commit: callers hand in batches and wait; while one commit is in flight, every batch handed in
 * meanwhile waits to go with the others in the next one (one D1 transaction for many accounts' rows).
 * An idle group holding little first gathers for a moment, so that batches arriving one at a time (a
 * lone client's payments, each draining two accounts) still share a commit; the gathering ends as soon as
 * enough has come, and bulk (an import's drains, each already many rows) never waits.
 * Batches are committed in the order they came, so one account's rows, sent one batch at a time, land
 * in order. When a group fails, each of its batches is tried again on its own before anyone is told,
 * so one bad batch fails alone and never takes the others down with it.
 */
export class GroupCommit<B> {
  private waiting: { batch: B; settle: (error?: unknown) => void }[] = [];
  private waitingSize = 0;
  private running = false;
  /** Ends the gathering early, once `below` statements wait. */
  private gathered: (() => void) | undefined;

  constructor(
    private readonly commit: (batches: B[]) => Promise<void>,
    /** A batch's size (its statements); a group holds at most `max` of it, a single larger batch still goes alone. */
    private readonly size: (batch: B) => number,
    private readonly max = 500,
    /** An idle group of fewer than `below` statements waits up to `ms` for more (until `below` wait) before its first commit. */
    private readonly gather?: { ms: number; below: number },
  ) {}

  /** Resolves once `batch` is committed (with others, or alone), rejects with the error of its own commit. */
  submit(batch: B): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ batch, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      this.waitingSize += this.size(batch);
      if (this.gather && this.waitingSize >= this.gather.below) this.gathered?.();
      if (!this.running) void this.run();
    });
  }

  private async run() {
    this.running = true;
    try {
      const gather = this.gather;
      if (gather && this.waitingSize < gather.below) {
        const gathering = endableWait(gather.ms);
        this.gathered = gathering.end;
        await gathering.done;
      }
      this.gathered = undefined;
      while (this.waiting.length) {
        const group = [this.waiting.shift()!];
        let size = this.size(group[0].batch);
        while (this.waiting.length && size + this.size(this.waiting[0].batch) <= this.max) {
          size += this.size(this.waiting[0].batch);
          group.push(this.waiting.shift()!);
        }
        this.waitingSize -= size;
        await this.commitGroup(group);
      }
    } finally {
      this.running = false;
    }
  }

  private async commitGroup(group: { batch: B; settle: (error?: unknown) => void }[]) {
    try {
      await this.commit(group.map((g) => g.batch));
      for (const g of group) g.settle();
    } catch (error) {
      if (group.length === 1) return group[0].settle(error ?? new Error("commit failed"));
      for (const g of group) await this.commitGroup([g]);
    }
  }
}
