import { DurableObject } from "cloudflare:workers";
import { recent, retryAfterSeconds, type ThrottleRule } from "./throttle-policy";

export type { ThrottleRule } from "./throttle-policy";

export type Attempt = { allowed: true; ticket: number } | { allowed: false; retryAfter: number };

/**
 * Failed-login throttle state, one object per key (`email:<address>` or `ip:<address>`). State lives in
 * the object's durable storage, so it survives isolate restarts and deploys.
 *
 * An attempt is counted *before* the password is checked (so parallel guesses cannot slip past the
 * limit); a successful login then forgives it (`forgive`) or clears the key (`reset`).
 */
export class LoginThrottle extends DurableObject {
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
    if (wait > 0) return { allowed: false, retryAfter: wait };
    // Tickets are unique even within one millisecond.
    let ticket = now;
    while (live.includes(ticket)) ticket++;
    live.push(ticket);
    await this.save(live.slice(-Math.max(rule.limit * 2, 1)), rule);
    return { allowed: true, ticket };
  }

  /** Seconds until an attempt is allowed, without counting one. */
  async peek(rule: ThrottleRule): Promise<number> {
    return retryAfterSeconds(await this.load(), Date.now(), rule);
  }

  /** Withdraws one counted attempt (it succeeded, or another key refused it). */
  async forgive(ticket: number, rule: ThrottleRule): Promise<void> {
    const failures = await this.load();
    await this.save(failures.filter((t) => t !== ticket), rule);
  }

  /** Clears the key (a successful login for this email). */
  async reset(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  override async alarm() {
    const windowMs = (await this.ctx.storage.get<number>("windowMs")) ?? 0;
    const live = recent(await this.load(), Date.now(), { limit: 1, windowMs });
    await this.save(live, { limit: 1, windowMs });
  }
}
