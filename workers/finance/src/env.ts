import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv, CoreEnv } from "#core";

export type Env = CoreEnv & {
  DB: D1Database;
  /** AccountLedger objects (class in workers/transactions), called through LedgerRpc only. */
  LEDGER: DurableObjectNamespace;
};

export type FinanceApp = OpenAPIHono<AppEnv<Env>>;
