import { countAttempt } from "#core/throttle";
import type { Env } from "./env";
import { loginRules, registerRule, throttleKeys } from "./throttle-policy";

/**
 * Counts a login attempt against (email, client address) and against the address, or throws 429 with
 * Retry-After when either is locked. Nothing depends on whether the email exists, so an unknown email
 * gets the same answers. The caller reports the outcome: a success clears the (email, address) failures
 * and withdraws the address's count; a failure stays counted.
 */
export async function beginLogin(env: Env, email: string, ip: string) {
  const rules = loginRules(env);
  const counted = await countAttempt(
    env.THROTTLE,
    [
      { key: throttleKeys.loginEmailAtAddress(email, ip), rule: rules.emailAtAddress },
      { key: throttleKeys.loginAddress(ip), rule: rules.address },
    ],
    "Too many failed login attempts. Try again later.",
  );
  if (!counted.ok) throw counted.error;
  return { succeeded: () => Promise.all([counted.reset(0), counted.forgive(1)]) };
}

/** Counts a registration from the client address (each may cost a scrypt hash), or throws 429. */
export async function countRegistration(env: Env, ip: string) {
  const counted = await countAttempt(
    env.THROTTLE,
    [{ key: throttleKeys.register(ip), rule: registerRule(env) }],
    "Too many sign-ups from this address. Try again later.",
  );
  if (!counted.ok) throw counted.error;
}
