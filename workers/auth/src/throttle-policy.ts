/** Sliding-window failure counting for the login throttle: pure, so it is unit-tested without a Durable Object. */
export interface ThrottleRule {
  /** Failures allowed within the window; the next attempt waits. */
  limit: number;
  windowMs: number;
}

/** Failures still inside the window, oldest first. */
export const recent = (failures: number[], now: number, rule: ThrottleRule) =>
  failures.filter((t) => t > now - rule.windowMs).sort((a, b) => a - b);

/** Seconds until one more attempt is allowed (0 = allowed now). */
export function retryAfterSeconds(failures: number[], now: number, rule: ThrottleRule): number {
  const live = recent(failures, now, rule);
  if (live.length < rule.limit) return 0;
  // The attempt is allowed again once enough failures have left the window to drop below the limit.
  const freeAt = live[live.length - rule.limit] + rule.windowMs;
  return Math.max(1, Math.ceil((freeAt - now) / 1000));
}
