// Routing over real HTTP against the multi-worker `wrangler dev`: every path of the merged /openapi.json
// reaches the worker that defines it, and a path no worker defines is the gateway's own 404.
import { describe, expect, it } from "vitest";
import { call, expectProblem, register } from "./helpers";

const METHODS = ["get", "post", "patch", "delete", "put"];
const concrete = (template: string) => template.replace(/\{[^}]+\}/g, "x_0123456789");

describe("routing over real HTTP", () => {
  it("every path of the merged /openapi.json reaches its own worker: an unserved method answers 405 with that worker's Allow list", async () => {
    const doc = (await call("/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    for (const [path, item] of Object.entries(doc.paths)) {
      const documented = Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .map((m) => m.toUpperCase());
      const res = await call(concrete(path), { method: "PUT" });
      expectProblem(res, 405, "method_not_allowed");
      const allow = new Set(
        (res.headers.get("allow") ?? "")
          .split(",")
          .map((m) => m.trim())
          .filter(Boolean),
      );
      expect(allow, `Allow of ${path}`).toEqual(new Set(documented.flatMap((m) => (m === "GET" ? [m, "HEAD"] : [m]))));
    }
  });

  it("an unknown sub-path under /v1/accounts/{id}/ answers 404 with or without a token", async () => {
    const token = await register("routing");
    for (const path of ["/v1/accounts/acc_1/snapshot", "/v1/accounts/acc_1/balance/history", "/v1/accounts/acc_1/"]) {
      expectProblem(await call(path), 404, "not_found");
      expectProblem(await call(path, { token }), 404, "not_found");
    }
  });
});
