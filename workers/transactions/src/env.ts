import type { CoreEnv } from "../../core/src";
import type { AccountLedger } from "./ledger/account-ledger";

export type Env = CoreEnv & {
  DB: D1Database;
  LEDGER: DurableObjectNamespace<AccountLedger>;
  AI_SERVICE?: Fetcher;
  /** UserState objects (class in workers/users): Idempotency-Keys are claimed per caller there. */
  USER_STATE: DurableObjectNamespace;
};
