import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv, CoreEnv } from "#core";
import type { TaxWorkerEnv } from "../worker-configuration";

/** The bindings and vars of wrangler.toml (`npm run types`). */
export type Env = CoreEnv & TaxWorkerEnv;
export type TaxApp = OpenAPIHono<AppEnv<Env>>;
