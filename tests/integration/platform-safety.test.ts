// Platform safety through the composed workers: nothing under /internal/ from outside, /metrics only for
// the scrape secret or an admin, unserved methods answered 405 under one metrics label, and the
// Server-Timing counts of D1 statements and Durable Object calls on the request's path.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SERVED_METHODS, serverTimingByName } from "#core";
import { app as ai } from "../../workers/ai/src/index";
import { app as auth } from "../../workers/auth/src/index";
import { app as finance } from "../../workers/finance/src/index";
import gateway from "../../workers/gateway/src/index";
import { app as payments } from "../../workers/payments/src/index";
import { app as tax } from "../../workers/tax/src/index";
import { app as transactions } from "../../workers/transactions/src/index";
import { app as users } from "../../workers/users/src/index";
import { api, createAccount, createUser, expectProblem } from "./support";

const SCRAPE = () => env.METRICS_TOKEN as string;

/** `name` → {dur, n} from a Server-Timing header; n is the desc count (absent when there is none). */
const timing = (res: { headers: Headers }) => serverTimingByName(res.headers.get("server-timing"));

describe("nothing under /internal/ is reachable through the gateway", () => {
  it("answers 404 problem+json for /internal/metrics and any other /internal path, whatever the method", async () => {
    const { token } = await createUser();
    for (const path of [
      "/internal/metrics",
      "/internal/categorize",
      "/internal",
      "/internal/",
      "//internal/metrics",
      "/%69nternal/metrics",
    ])
      expectProblem(await api(path, { token }), 404, "not_found");
    expectProblem(await api("/internal/metrics", { method: "PROPFIND" }), 404, "not_found");
  });
});

describe("/metrics is for the scrape secret or an admin", () => {
  it("401 without a token or with a bad one, 403 for a user's token, 200 for the scrape token or an admin's", async () => {
    await api("/health");
    expectProblem(await api("/metrics"), 401, "unauthorized");
    expectProblem(await api("/metrics", { token: "not-the-scrape-token" }), 401, "unauthorized");
    expectProblem(await api("/metrics", { token: SCRAPE() + "x" }), 401, "unauthorized");
    const user = await createUser();
    expectProblem(await api("/metrics", { token: user.token }), 403, "forbidden");

    const scraped = await api("/metrics", { token: SCRAPE() });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get("content-type")).toContain("text/plain");
    expect(scraped.body).toMatch(/http_requests_total\{worker="gateway",method="GET",route="\/health",status="200"\} \d+/);

    const admin = await createUser({ role: "admin" });
    const byAdmin = await api("/metrics", { token: admin.token });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toContain("# TYPE http_requests_total counter");
  });
});

describe("methods the API does not serve", () => {
  it("answers 405 problem+json with the resource's Allow list, before any token check", async () => {
    const res = await api("/v1/accounts", { method: "PROPFIND" });
    expectProblem(res, 405, "method_not_allowed");
    const allow = (res.headers.get("allow") ?? "").split(",").map((m) => m.trim());
    expect(allow).toEqual(expect.arrayContaining(["GET", "POST"]));
    expect(allow).not.toContain("PROPFIND");

    const health = await api("/health", { method: "MKCOL" });
    expectProblem(health, 405, "method_not_allowed");
    expect(health.headers.get("allow")).toBe("GET, HEAD");
    expectProblem(await api("/v1/nothing-here", { method: "QUERY" }), 405, "method_not_allowed");
    const { token } = await createUser();
    expectProblem(await api("/v1/users/me", { method: "PUT", token, json: {} }), 405, "method_not_allowed");
  });

  it("routes no method outside the served list in any worker (it would be refused 405)", () => {
    for (const app of [gateway, ai, auth, finance, payments, tax, transactions, users])
      for (const r of app.routes) expect([...SERVED_METHODS, "ALL"]).toContain(r.method);
  });

  it("counts them under one method label, so no method becomes its own series", async () => {
    for (const method of ["PROPFIND", "MKCOL", "QUERY", "PURGE"]) await api("/v1/accounts", { method });
    const text = (await api("/metrics", { token: SCRAPE() })).body as string;
    for (const m of ["PROPFIND", "MKCOL", "QUERY", "PURGE"]) expect(text).not.toContain(m);
    expect(text).toMatch(/http_requests_total\{worker="gateway",method="other",route="[^"]*",status="405"\} \d+/);
    const methods = new Set([...text.matchAll(/method="([^"]*)"/g)].map((m) => m[1]));
    for (const m of methods) expect(["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS", "other"]).toContain(m);
  });
});

describe("Server-Timing", () => {
  it("has total and no d1/do entry for /health, and a d1 count for /v1/users/me", async () => {
    const health = timing(await api("/health"));
    expect(Object.keys(health)).toEqual(["total"]);
    expect(health.total.dur).toBeGreaterThanOrEqual(0);

    const { token } = await createUser();
    const me = await api("/v1/users/me", { token });
    expect(me.status).toBe(200);
    const t = timing(me);
    expect(t.total).toBeDefined();
    expect(t.d1.n).toBeGreaterThanOrEqual(1); // the users worker reads the user's row
  });

  it("counts Durable Object calls for a balance read", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const balance = await api(`/v1/accounts/${acc}/balance`, { token: u.token });
    expect(balance.status).toBe(200);
    const t = timing(balance);
    expect(t.do.n).toBeGreaterThanOrEqual(1);
  });

  it("carries the domain worker's counts through the gateway (a login: the gateway itself reads nothing)", async () => {
    const res = await api("/v1/auth/login", {
      method: "POST",
      json: { email: `nobody-${crypto.randomUUID()}@test.local`, password: "not the password 123" },
    });
    expect(res.status).toBe(401);
    const t = timing(res);
    expect(t.d1.n).toBeGreaterThanOrEqual(1); // the auth worker's user lookup and audit row
    expect(t.do.n).toBeGreaterThanOrEqual(1); // its login throttle objects
  });

  it("is on 4xx answers too and is readable by a CORS caller", async () => {
    const res = await api("/v1/accounts", { headers: { Origin: "http://localhost:3000" } });
    expect(res.status).toBe(401);
    expect(timing(res).total).toBeDefined();
    expect((res.headers.get("access-control-expose-headers") ?? "").toLowerCase()).toContain("server-timing");
  });
});
