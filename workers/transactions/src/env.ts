import type { CoreEnv } from "../../core/src";
import type { AccountLedger } from "./ledger/account-ledger";

export type Env = CoreEnv & {
  DB: D1Database;
  LEDGER: DurableObjectNamespace<AccountLedger>;
  AI_SERVICE?: Fetcher;
};
