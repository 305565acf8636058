import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, inject, it } from "vitest";
import { call, expectProblem, origin, register } from "./helpers";

describe("platform over real HTTP", () => {
  it("is live and ready: D1 and every service binding answer", async () => {
    expect((await call("/health")).body).toEqual({ status: "ok" });
    const ready = await call("/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("ready");
    expect(Object.keys(ready.body.checks)).toHaveLength(9);
    expect(Object.values(ready.body.checks).every(Boolean)).toBe(true);
  });

  it("serves one valid OpenAPI 3.1 document merged from every worker", async () => {
    const doc = (await call("/openapi.json")).body;
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    for (const path of ["/health", "/ready", "/metrics"]) expect(doc.paths[path]).toBeDefined();
  });

  it("serves an API reference page whose assets all come from this origin", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain("/openapi.json");
    // No CDN: every absolute URL in the page would need the network.
    expect(res.text.match(/(src|href)=["']https?:/g)).toBeNull();
  });

  it("answers unknown routes with problem+json 404 and echoes the request id", async () => {
    const res = await call("/v1/unknown/route", { headers: { "X-Request-Id": "e2e-req-1" } });
    const problem = expectProblem(res, 404, "not_found");
    expect(problem.request_id).toBe("e2e-req-1");
  });

  it("mints a request id when none is sent", async () => {
    const res = await call("/health");
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it("requires a bearer token on protected routes and rejects garbage tokens", async () => {
    expectProblem(await call("/v1/accounts"), 401, "unauthorized");
    expectProblem(await call("/v1/accounts", { token: "not-a-jwt" }), 401, "unauthorized");
  });

  it("rejects bodies over 1 MiB with 413 before they reach a domain worker", async () => {
    const big = JSON.stringify({ email: "a@b.c", password: "x".repeat(1024 * 1024 + 10) });
    const res = await call("/v1/auth/login", { method: "POST", body: big, headers: { "content-type": "application/json" } });
    expectProblem(res, 413, "payload_too_large");
  });

  it("sends security headers and honours the CORS origin list", async () => {
    const ok = await fetch(origin() + "/health", { headers: { Origin: "http://localhost:3000" } });
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
    const other = await fetch(origin() + "/health", { headers: { Origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("exposes Prometheus metrics with latency histograms from the domain workers too", async () => {
    await call("/ready");
    expectProblem(await call("/metrics"), 401, "unauthorized");
    expectProblem(await call("/metrics", { token: await register("metrics") }), 403, "forbidden");
    const text = (await call("/metrics", { token: inject("metricsToken") })).text;
    expect(text).toMatch(/http_requests_total\{worker="gateway",method="GET",route="\/ready",status="200"\} \d+/);
    expect(text).toMatch(/http_request_duration_ms_bucket\{worker="tax",method="GET",route="\/health",status="200",le="\+Inf"\} \d+/);
  });
});
