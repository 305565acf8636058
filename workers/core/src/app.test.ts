import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp, defineRoute, jsonBody, jsonResponse, z } from "./index";

/** A tiny app from the same factory every worker uses, with one route per error path. */
function testApp() {
  const app = createApp("test");
  app.openapi(
    defineRoute({
      method: "post",
      path: "/things",
      scope: null,
      request: jsonBody(z.strictObject({ amount: z.number().int(), name: z.string() })),
      responses: { 201: jsonResponse(z.object({ ok: z.boolean() }), "created") },
    }),
    (c) => c.json({ ok: true }, 201),
  );
  app.openapi(
    defineRoute({
      method: "post",
      path: "/things/close",
      scope: null,
      responses: { 200: jsonResponse(z.object({ ok: z.boolean() }), "closed") },
    }),
    (c) => c.json({ ok: true }, 200),
  );
  app.get("/boom", () => {
    throw new Error("secret internals at /srv/app.ts:42");
  });
  return app;
}
const env = (rate = "0") => ({ LOG_SAMPLE_RATE: rate, CORS_ORIGINS: "" });
const post = (body: string, type = "application/json") =>
  testApp().request("/things", { method: "POST", body, headers: { "content-type": type } }, env());

afterEach(() => vi.restoreAllMocks());

describe("core app factory", () => {
  it("turns a thrown error into 500 internal without the message or a stack, and logs it", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await testApp().request("/boom", {}, env());
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(body).toMatchObject({ code: "internal", status: 500, request_id: res.headers.get("x-request-id") });
    expect(JSON.stringify(body)).not.toMatch(/secret internals|\.ts:\d+|at /);
    const lines = errors.mock.calls.map((c) => JSON.parse(String(c[0])));
    expect(lines.some((l) => l.level === "error" && String(l.error).includes("secret internals"))).toBe(true);
  });

  it("names unknown fields and wrong types in errors[].path with 422 validation_failed", async () => {
    const res = await post(JSON.stringify({ amount: 1.5, name: "x", extra: true }));
    const body = (await res.json()) as { code: string; errors: { path: string }[] };
    expect(res.status).toBe(422);
    expect(body.code).toBe("validation_failed");
    expect(body.errors.map((e) => e.path).sort()).toEqual(["amount", "extra"]);
  });

  it("an operation without a body refuses one that holds fields (422) or is not JSON (400), and takes none or {}", async () => {
    const close = (body?: string) =>
      testApp().request("/things/close", { method: "POST", body, headers: body ? { "content-type": "application/json" } : {} }, env());
    const fields = await close(JSON.stringify({ force: true, amount: 5 }));
    expect(fields.status).toBe(422);
    const problem = (await fields.json()) as { code: string; errors: { path: string; message: string }[] };
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors).toEqual([
      { path: "force", message: "unknown field" },
      { path: "amount", message: "unknown field" },
    ]);
    expect((await close("[1]")).status).toBe(422);
    const garbage = await close("not json");
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { code: string }).code).toBe("validation_failed");
    for (const ok of [undefined, "", "{}", " { } "]) expect((await close(ok)).status, String(ok)).toBe(200);
  });

  it("answers malformed JSON with 400, a foreign content type with 415, a huge body with 413", async () => {
    expect((await post("{not json")).status).toBe(400);
    const wrongType = await post("amount=1", "text/plain");
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { code: string }).code).toBe("unsupported_media_type");
    const big = await post(JSON.stringify({ amount: 1, name: "x".repeat(1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe("payload_too_large");
  });

  it("logs one JSON line per request: successes sampled away at rate 0, errors always", async () => {
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    await testApp().request(
      "/things",
      { method: "POST", body: JSON.stringify({ amount: 1, name: "a" }), headers: { "content-type": "application/json" } },
      env("0"),
    );
    expect(logs).not.toHaveBeenCalled();
    await testApp().request("/nope", {}, env("0"));
    const line = JSON.parse(String(logs.mock.calls[0][0]));
    expect(line).toMatchObject({ level: "warn", worker: "test", method: "GET", status: 404 });
    for (const k of ["ts", "request_id", "route", "duration_ms"]) expect(line).toHaveProperty(k);
    logs.mockClear();
    await testApp().request(
      "/things",
      { method: "POST", body: JSON.stringify({ amount: 1, name: "a" }), headers: { "content-type": "application/json" } },
      env("1"),
    );
    expect(JSON.parse(String(logs.mock.calls[0][0]))).toMatchObject({ level: "info", status: 201, route: "/things" });
  });
});
