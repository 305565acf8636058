/**
 * A per-isolate copy of callers' status and role, reused for at most `ttlMs` (pure: unit-tested with
 * an explicit clock). Bounded in size; the oldest entries go first. `ttlMs` 0 keeps nothing.
 */
export class CallerCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  get(id: string, now: number, ttlMs: number): { value: V } | undefined {
    const hit = this.entries.get(id);
    if (!hit) return undefined;
    // A clock that went backwards counts as stale too.
    if (now - hit.at >= ttlMs || now < hit.at) {
      this.entries.delete(id);
      return undefined;
    }
    return { value: hit.value };
  }

  put(id: string, value: V, now: number, ttlMs: number) {
    if (ttlMs <= 0) return;
    this.entries.delete(id); // re-inserted last: Map order is age order
    this.entries.set(id, { value, at: now });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(id: string) {
    this.entries.delete(id);
  }

  get size() {
    return this.entries.size;
  }
}

/** Reuse bound from the var: default 1000 ms, never more than 5000 ms (the promised suspension delay). */
export function ttlFrom(value: string | undefined): number {
  const n = value === undefined || value.trim() === "" ? 1000 : Number(value);
  return Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), 5000) : 0;
}

/**
 * The user whose state a request is about to change, when the change is made through this gateway:
 * their entry is forgotten before forwarding, so this isolate answers from the object afterwards.
 */
export function changesStateOf(method: string, path: string, caller: string): string | undefined {
  if (method === "DELETE" && /^\/v1\/users\/me\/?$/.test(path)) return caller;
  const admin = /^\/v1\/admin\/users\/([^/]+)\/?$/.exec(path);
  if (method === "PATCH" && admin) {
    try {
      return decodeURIComponent(admin[1]);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
