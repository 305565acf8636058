import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv, CoreEnv } from "#core";
import type { FinanceWorkerEnv } from "../worker-configuration";

/** The bindings and vars of wrangler.toml (`npm run types`). */
export type Env = CoreEnv & FinanceWorkerEnv;

export type FinanceApp = OpenAPIHono<AppEnv<Env>>;
