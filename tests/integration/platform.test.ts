import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser } from "./support";

const gateway = () => (exports as unknown as { default: Fetcher }).default;
const get = (path: string, init?: RequestInit) => gateway().fetch(`http://127.0.0.1:8787${path}`, init);

describe("platform through the composed workers", () => {
  it("answers /health without I/O and /ready after probing D1 and every binding", async () => {
    expect(await (await get("/health")).json()).toEqual({ status: "ok" });
    const ready = await get("/ready");
    const body = (await ready.json()) as { status: string; checks: Record<string, boolean> };
    expect(ready.status).toBe(200);
    expect(Object.keys(body.checks).sort()).toEqual([
      "ai_service",
      "auth",
      "d1",
      "finance",
      "payments",
      "tax",
      "transactions",
      "users",
      "webhooks",
    ]);
    expect(Object.values(body.checks).every(Boolean)).toBe(true);
  });

  it("renders an unknown route as problem+json 404 with the echoed request id", async () => {
    const res = await get("/v1/nothing-here", { headers: { "X-Request-Id": "abc-123" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("x-request-id")).toBe("abc-123");
    expect(await res.json()).toMatchObject({ status: 404, code: "not_found", request_id: "abc-123" });
  });

  it("echoes a printable request id and replaces an oversized one", async () => {
    expect((await get("/health", { headers: { "X-Request-Id": "trace 42/b" } })).headers.get("x-request-id")).toBe("trace 42/b");
    const res = await get("/health", { headers: { "X-Request-Id": "x".repeat(201) } });
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it("rejects protected routes without a bearer token", async () => {
    const res = await get("/v1/accounts");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "unauthorized", status: 401 });
  });

  it("counts requests per worker and route in Prometheus format, for administrators", async () => {
    await get("/health");
    expect((await get("/metrics")).status).toBe(401);
    expect((await get("/metrics", { headers: { authorization: `Bearer ${(await createUser()).token}` } })).status).toBe(403);
    const { token } = await createUser({ role: "admin" });
    const text = await (await get("/metrics", { headers: { authorization: `Bearer ${token}` } })).text();
    expect(text).toContain("# TYPE http_request_duration_ms histogram");
    expect(text).toMatch(/http_requests_total\{worker="gateway",method="GET",route="\/health",status="200"\} \d+/);
  });
});
