import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv, CoreEnv, RpcBinding, TaxRpc } from "#core";

/** The slice of the Workers AI binding the ai worker uses (kept minimal so fakes are easy). */
export interface WorkersAiBinding {
  run(model: string, input: unknown): Promise<unknown>;
}

export type Env = CoreEnv & {
  DB: D1Database;
  /** The tax worker (income-tax engine), called by the tax optimiser through its RPC methods. */
  TAX?: RpcBinding<TaxRpc>;
  /** Workers AI; absent in local dev and tests. */
  AI?: WorkersAiBinding;
};

export type AiApp = OpenAPIHono<AppEnv<Env>>;
