import type { AiRpc, CoreEnv, RpcBinding } from "#core";
import type { AccountLedger } from "./ledger/account-ledger";

export type Env = CoreEnv & {
  DB: D1Database;
  LEDGER: DurableObjectNamespace<AccountLedger>;
  /** The ai worker, asked through its RPC methods (AiRpc). */
  AI_SERVICE?: RpcBinding<AiRpc>;
  /** UserState objects (class in workers/users): Idempotency-Keys are claimed per caller there. */
  USER_STATE: DurableObjectNamespace;
};
