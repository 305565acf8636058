import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv, CoreEnv } from "#core";

export type Env = CoreEnv & { DB: D1Database };
export type TaxApp = OpenAPIHono<AppEnv<Env>>;
