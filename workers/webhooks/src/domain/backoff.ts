/**
 * When a failed delivery is tried again: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h after the attempts
 * that failed, then daily, as long as the next attempt falls within 3 days of the event; after that
 * the delivery is `failed`. An endpoint whose deliveries have failed without a success for 5 days is
 * disabled.
 */
export const RETRY_DELAYS_SECONDS = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600] as const;
export const DAILY_SECONDS = 24 * 3600;
export const RETRY_WINDOW_MS = 3 * 24 * 3600 * 1000;
export const DISABLE_AFTER_MS = 5 * 24 * 3600 * 1000;
/** One attempt waits at most this long for an answer. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** Seconds to wait after the `attempts`-th attempt (1-based) failed. */
export function retryDelaySeconds(attempts: number): number {
  return RETRY_DELAYS_SECONDS[attempts - 1] ?? DAILY_SECONDS;
}

/** When to try again after `attempts` failed attempts of a delivery created at `createdAt`, or null: give up. */
export function nextAttemptAt(createdAt: Date, attempts: number, now: Date): Date | null {
  const next = new Date(now.getTime() + retryDelaySeconds(attempts) * 1000);
  return next.getTime() - createdAt.getTime() <= RETRY_WINDOW_MS ? next : null;
}

/** Whether an endpoint failing since `failingSince` (null: it is not failing) is to be disabled at `now`. */
export function shouldDisable(failingSince: Date | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS;
}

/** Whether an HTTP status counts as delivered: any 2xx (a redirect is a failure: it is not followed). */
export const isSuccess = (status: number) => status >= 200 && status < 300;
