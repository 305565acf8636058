import type { OpenAPIHono } from "@hono/zod-openapi";
import { WorkerEntrypoint } from "cloudflare:workers";
import { createApp, type AppOptions, type CoreEnv } from "./app";

/** A domain worker: the core app plus its internal /health and its generated /openapi.json. */
export function createDomainApp<B extends CoreEnv>(worker: string, options?: AppOptions) {
  const app = createApp<B>(worker, options);
  app.get("/health", (c) => c.json({ status: "ok", worker }));
  app.doc31("/openapi.json", { openapi: "3.1.0", info: { title: worker, version: "1.0.0" } });
  return app;
}

/**
 * The worker's entrypoint class: `fetch` serves the app (what the gateway forwards); a domain's subclass
 * adds the RPC methods other workers call (contracts in rpc.ts, e.g. `class TaxService extends
 * entrypoint(app) implements TaxRpc`). Deployed and in `wrangler dev`, it is the default export, which a
 * service binding without `entrypoint` reaches; in tests every domain's class is re-exported under its
 * own name from one worker, which binds to them by name (workers-sdk#14945).
 */
export function entrypoint<B>(app: OpenAPIHono<any>) {
  return class extends WorkerEntrypoint<B> {
    override fetch(request: Request) {
      return app.fetch(request, this.env, this.ctx);
    }
  };
}
