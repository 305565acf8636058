import { ApiError } from "../../core/src";
import type { Env } from "./env";
import type { ThrottleRule } from "./throttle";

export function throttleRules(env: Env): { email: ThrottleRule; ip: ThrottleRule } {
  const windowMs = Number(env.LOGIN_WINDOW_SECONDS ?? 900) * 1000;
  return {
    email: { limit: Number(env.LOGIN_MAX_FAILURES_PER_EMAIL ?? 5), windowMs },
    ip: { limit: Number(env.LOGIN_MAX_FAILURES_PER_IP ?? 30), windowMs },
  };
}

/**
 * Counts a login attempt against the email and the client IP, or throws 429 with Retry-After when
 * either is locked. The caller reports the outcome: a success clears the email's failures and
 * withdraws the IP's count; a failure stays counted.
 */
export async function beginLogin(env: Env, email: string, ip: string) {
  const rules = throttleRules(env);
  const emailKey = env.THROTTLE.get(env.THROTTLE.idFromName(`email:${email}`));
  const ipKey = env.THROTTLE.get(env.THROTTLE.idFromName(`ip:${ip}`));
  const [byEmail, byIp] = await Promise.all([emailKey.attempt(rules.email), ipKey.attempt(rules.ip)]);
  if (!byEmail.allowed || !byIp.allowed) {
    await Promise.all([
      byEmail.allowed ? emailKey.forgive(byEmail.ticket, rules.email) : undefined,
      byIp.allowed ? ipKey.forgive(byIp.ticket, rules.ip) : undefined,
    ]);
    const retryAfter = Math.max(byEmail.allowed ? 0 : byEmail.retryAfter, byIp.allowed ? 0 : byIp.retryAfter);
    const limit = !byEmail.allowed ? rules.email.limit : rules.ip.limit;
    throw new ApiError("rate_limited", "Too many failed login attempts. Try again later.", undefined, 429, {
      "Retry-After": String(retryAfter),
      "RateLimit-Limit": String(limit),
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": String(retryAfter),
    });
  }
  return {
    succeeded: () => Promise.all([emailKey.reset(), ipKey.forgive(byIp.ticket, rules.ip)]),
  };
}
