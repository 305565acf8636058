import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv, AppOptions, CoreEnv } from "./app";
import { createDomainApp } from "./worker";

/** A domain worker's app with its routes: each `register` mounts one group of routes, in order. */
export function domainApp<B extends CoreEnv>(worker: string, registers: ((app: OpenAPIHono<AppEnv<B>>) => void)[], options?: AppOptions) {
  const app = createDomainApp<B>(worker, options);
  for (const register of registers) register(app);
  return app;
}
