import type { AppEnv, CoreEnv } from "#core";

export type Env = CoreEnv & {
  DB: D1Database;
  /** LoginThrottle objects (class in workers/auth): wrong current passwords are limited per user. */
  THROTTLE: DurableObjectNamespace;
  /** AccountLedger objects (class in workers/transactions): deletion closes and erases the user's accounts. */
  LEDGER: DurableObjectNamespace;
  /** UserState objects (defined here): each user's status, role and claimed Idempotency-Keys. */
  USER_STATE: DurableObjectNamespace;
};
export type UsersApp = AppEnv<Env>;
