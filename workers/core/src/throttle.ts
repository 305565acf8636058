import { ApiError } from "./errors";
import { namedStub } from "./rpc-binding";

/**
 * The RPC surface of the `LoginThrottle` Durable Object (one object per key, implemented in
 * workers/auth). Other workers bind the class by script name and call it through this type only, so no
 * domain imports another. Not re-exported from core's index: only the workers that throttle import it.
 */
export interface ThrottleRule {
  /** Attempts allowed within the window; the next one waits. */
  limit: number;
  windowMs: number;
}

/** `remaining`: attempts still allowed after this one; `first`: the first refusal of this lock. */
export type Attempt = { allowed: true; ticket: number; remaining: number } | { allowed: false; retryAfter: number; first: boolean };

export interface ThrottleRpc {
  attempt(rule: ThrottleRule): Promise<Attempt>;
  peek(rule: ThrottleRule): Promise<number>;
  forgive(ticket: number, rule: ThrottleRule): Promise<void>;
  reset(): Promise<void>;
}

export function throttleStub(ns: DurableObjectNamespace<any>, key: string): ThrottleRpc {
  return namedStub<ThrottleRpc>(ns, key);
}

export interface ThrottleCheck {
  key: string;
  rule: ThrottleRule;
}

export type Counted =
  | {
      ok: true;
      /** Withdraws the attempt from check `i` (it succeeded, or it should not count). */
      forgive(i: number): Promise<void>;
      /** Clears check `i`'s key entirely (the owner proved the secret). */
      reset(i: number): Promise<void>;
    }
  | { ok: false; error: ApiError; first: boolean; retryAfter: number };

/** The 429 for a set of refusals: the longest wait decides, and its rule names the limit. */
export function refusal(checks: ThrottleCheck[], attempts: Attempt[]): { retryAfter: number; limit: number; first: boolean } | undefined {
  let worst: { retryAfter: number; limit: number; first: boolean } | undefined;
  attempts.forEach((a, i) => {
    if (a.allowed) return;
    if (!worst || a.retryAfter > worst.retryAfter) worst = { retryAfter: a.retryAfter, limit: checks[i].rule.limit, first: a.first };
    else if (a.first) worst.first = true;
  });
  return worst;
}

export const rateLimitHeaders = (limit: number, retryAfter: number) => ({
  "Retry-After": String(retryAfter),
  "RateLimit-Limit": String(limit),
  "RateLimit-Remaining": "0",
  "RateLimit-Reset": String(retryAfter),
});

/**
 * Counts one attempt against every key at once. If any key refuses, the attempt is withdrawn from the
 * others and the answer is a 429 (with Retry-After and RateLimit-*) for the caller to throw. Attempts are
 * counted *before* the secret is checked, so parallel guesses cannot slip past a limit.
 */
export async function countAttempt(ns: DurableObjectNamespace<any>, checks: ThrottleCheck[], detail: string): Promise<Counted> {
  const stubs = checks.map((c) => throttleStub(ns, c.key));
  const attempts = await Promise.all(stubs.map((s, i) => s.attempt(checks[i].rule)));
  const refused = refusal(checks, attempts);
  if (refused) {
    await Promise.all(attempts.map((a, i) => (a.allowed ? stubs[i].forgive(a.ticket, checks[i].rule) : undefined)));
    const error = new ApiError("rate_limited", detail, { status: 429, headers: rateLimitHeaders(refused.limit, refused.retryAfter) });
    return { ok: false, error, first: refused.first, retryAfter: refused.retryAfter };
  }
  return {
    ok: true,
    forgive: async (i) => {
      const a = attempts[i];
      if (a.allowed) await stubs[i].forgive(a.ticket, checks[i].rule);
    },
    reset: (i) => stubs[i].reset(),
  };
}
