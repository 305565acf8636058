/** Sliding-window counting for the throttle object, the keys it is asked about and the rules from env: pure, so unit-tested without a Durable Object. */
import type { ThrottleRule } from "#core/throttle";

export type { ThrottleRule } from "#core/throttle";

/** Attempts still inside the window, oldest first. */
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

/**
 * While a key is locked, the attempt whose leaving the window frees it; it names the lock, so the first
 * refusal of each lock can be told apart (and audited once). Refused attempts are not counted, so it
 * stays the same for the whole lock.
 */
export function lockId(failures: number[], now: number, rule: ThrottleRule): number | undefined {
  const live = recent(failures, now, rule);
  return live.length < rule.limit ? undefined : live[live.length - rule.limit];
}

/**
 * The throttle identity of a client address: IPv4 as is, IPv6 by its /64 (one subscriber usually holds
 * a whole /64, so counting single IPv6 addresses would let one client rotate past any limit).
 */
export function addressKey(ip: string): string {
  const address = ip.trim().toLowerCase();
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(":")) return address.slice(0, 64);
  const [head, tail, ...rest] = address.split("::");
  if (rest.length) return address.slice(0, 64); // not an address; keep it whole
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array(Math.max(0, missing)).fill("0"), ...right];
  if (groups.length < 4 || groups.slice(0, 4).some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return address.slice(0, 64);
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

export interface ThrottleVars {
  LOGIN_MAX_FAILURES_PER_EMAIL_IP?: string;
  LOGIN_MAX_FAILURES_PER_IP?: string;
  LOGIN_WINDOW_SECONDS?: string;
  REGISTER_MAX_PER_IP?: string;
  REGISTER_WINDOW_SECONDS?: string;
}

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
};

/**
 * Login: failures per (email, address) and per address. There is deliberately no per-email limit across
 * addresses: it would let anyone lock the owner out; a guesser pays one address per 5 tries per window.
 */
export function loginRules(vars: ThrottleVars): { emailAtAddress: ThrottleRule; address: ThrottleRule } {
  const windowMs = positive(vars.LOGIN_WINDOW_SECONDS, 900) * 1000;
  return {
    emailAtAddress: { limit: positive(vars.LOGIN_MAX_FAILURES_PER_EMAIL_IP, 5), windowMs },
    address: { limit: positive(vars.LOGIN_MAX_FAILURES_PER_IP, 30), windowMs },
  };
}

/** Registration: every call that reaches the handler counts, since each may cost a scrypt hash. */
export const registerRule = (vars: ThrottleVars): ThrottleRule => ({
  limit: positive(vars.REGISTER_MAX_PER_IP, 10),
  windowMs: positive(vars.REGISTER_WINDOW_SECONDS, 3600) * 1000,
});

/** Throttle object names: one object per key. */
export const throttleKeys = {
  loginEmailAtAddress: (email: string, ip: string) => `login:${addressKey(ip)}|${email}`,
  loginAddress: (ip: string) => `ip:${addressKey(ip)}`,
  register: (ip: string) => `register:${addressKey(ip)}`,
};
