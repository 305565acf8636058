import type { AppEnv, CoreEnv } from "../../core/src";

export type Env = CoreEnv & {
  DB: D1Database;
  /** AccountLedger objects (class in workers/transactions): deletion closes and erases the user's accounts. */
  LEDGER: DurableObjectNamespace;
};
export type UsersApp = AppEnv<Env>;
