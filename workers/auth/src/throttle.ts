import { DurableObject } from "cloudflare:workers";
import type { Attempt, ThrottleRpc } from "#core/throttle";
import { lockId, recent, retryAfterSeconds, type ThrottleRule } from "./throttle-policy";

export type { Attempt, ThrottleRule } from "#core/throttle";

/**
 * Attempt throttle state, one object per key (`login:<address>|<email>`, `ip:<address>`,
 * `register:<address>`, `password:<user id>`); the users worker binds it too, by script name. State lives
 * in the object's durable storage, so it survives isolate restarts and deploys. (The class keeps its first
 * name: renaming a Durable Object class needs a migration.)
 *
 * An attempt is counted *before* the secret is checked (so parallel guesses cannot slip past the limit);
 * a success then forgives it (`forgive`) or clears the key (`reset`).
 */
export class LoginThrottle extends DurableObject implements ThrottleRpc {
  private async load(): Promise<number[]> {
    return (await this.ctx.storage.get<number[]>("failures")) ?? [];
  }

  private async save(failures: number[], rule: ThrottleRule) {
    if (failures.length === 0) {
      await this.ctx.storage.deleteAll();
      return;
    }
    await this.ctx.storage.put({ failures, windowMs: rule.windowMs });
    // Clean up once the newest failure has left the window.
    await this.ctx.storage.setAlarm(Math.max(...failures) + rule.windowMs + 1000);
  }

  /** Counts an attempt unless the key is locked; the ticket identifies it for `forgive`. */
  async attempt(rule: ThrottleRule): Promise<Attempt> {
    const now = Date.now();
    const live = recent(await this.load(), now, rule);
    const wait = retryAfterSeconds(live, now, rule);
    if (wait > 0) {
      const lock = lockId(live, now, rule);
      const first = (await this.ctx.storage.get<number>("refusedLock")) !== lock;
      if (first) await this.ctx.storage.put("refusedLock", lock);
      return { allowed: false, retryAfter: wait, first };
    }
    // Tickets are unique even within one millisecond.
    let ticket = now;
    while (live.includes(ticket)) ticket++;
    live.push(ticket);
    await this.save(live.slice(-Math.max(rule.limit * 2, 1)), rule);
    return { allowed: true, ticket, remaining: Math.max(0, rule.limit - live.length) };
  }

  /** Seconds until an attempt is allowed, without counting one. */
  async peek(rule: ThrottleRule): Promise<number> {
    return retryAfterSeconds(await this.load(), Date.now(), rule);
  }

  /** Withdraws one counted attempt (it succeeded, or another key refused it). */
  async forgive(ticket: number, rule: ThrottleRule): Promise<void> {
    const failures = await this.load();
    await this.save(
      failures.filter((t) => t !== ticket),
      rule,
    );
  }

  /** Clears the key (the owner proved the secret). */
  async reset(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  override async alarm() {
    const windowMs = (await this.ctx.storage.get<number>("windowMs")) ?? 0;
    const live = recent(await this.load(), Date.now(), { limit: 1, windowMs });
    await this.save(live, { limit: 1, windowMs });
  }
}
