// Platform safety over real HTTP against `wrangler dev`: /internal/ is not routed, /metrics is for the
// scrape secret or an admin, unserved methods are 405 under one metrics label, and Server-Timing
// counts D1 statements and Durable Object calls across the workers a request crosses.
import { describe, expect, inject, it } from "vitest";
import { adminCreate, call, expectProblem, origin } from "./helpers";
import { serverTimingByName } from "#core/server-timing";

const PASSWORD = "correct horse battery staple 42";

async function signUp(label: string) {
  const email = `${label}-${crypto.randomUUID()}@e2e.test`;
  const res = await call("/v1/auth/register", { method: "POST", json: { email, password: PASSWORD, name: label } });
  expect(res.status).toBe(201);
  return { email, token: res.body.access_token as string };
}

/** `name` → {dur, n} from a Server-Timing header; n is the desc count when there is one. */
const timing = (headers: Headers) => serverTimingByName(headers.get("server-timing"));

describe("platform safety over real HTTP", () => {
  it("routes nothing under /internal/ from outside: 404 problem+json", async () => {
    const { token } = await signUp("internal");
    for (const p of ["/internal/metrics", "/internal/categorize", "/internal/health"]) {
      expectProblem(await call(p), 404, "not_found");
      expectProblem(await call(p, { token }), 404, "not_found");
    }
    expectProblem(
      await call("/internal/categorize", { method: "POST", token, json: { transactions: [{ description: "x", amount: -1 }] } }),
      404,
      "not_found",
    );
  });

  it("/metrics: 401 without or with a bad token, 403 for a user, 200 for the scrape secret and for an admin", async () => {
    await call("/ready");
    expectProblem(await call("/metrics"), 401, "unauthorized");
    expectProblem(await call("/metrics", { token: "not-the-secret" }), 401, "unauthorized");
    const user = await signUp("metrics-user");
    expectProblem(await call("/metrics", { token: user.token }), 403, "forbidden");

    const scraped = await call("/metrics", { token: inject("metricsToken") });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get("content-type")).toContain("text/plain");
    expect(scraped.text).toMatch(/http_requests_total\{worker="gateway",method="GET",route="\/ready",status="200"\} \d+/);
    expect(scraped.text).toMatch(
      /http_request_duration_ms_bucket\{worker="tax",method="GET",route="\/health",status="200",le="\+Inf"\} \d+/,
    );

    const admin = await signUp("metrics-admin");
    adminCreate(admin.email);
    // The promotion is written to D1 only; the next sign-in brings it to the user's state object.
    const relog = await call("/v1/auth/login", { method: "POST", json: { email: admin.email, password: PASSWORD } });
    expect(relog.status).toBe(200);
    const byAdmin = await call("/metrics", { token: relog.body.access_token });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.text).toContain("# TYPE http_requests_total counter");
  });

  it('answers methods the API does not serve with 405 problem+json and Allow, counted as method="other"', async () => {
    const res = await call("/v1/accounts", { method: "PROPFIND" });
    expectProblem(res, 405, "method_not_allowed");
    expect((res.headers.get("allow") ?? "").split(", ")).toEqual(expect.arrayContaining(["GET", "POST"]));
    expectProblem(await call("/health", { method: "MKCOL" }), 405, "method_not_allowed");
    expectProblem(await call("/v1/users/me", { method: "PUT" }), 405, "method_not_allowed");

    const text = (await call("/metrics", { token: inject("metricsToken") })).text;
    expect(text).not.toContain("PROPFIND");
    expect(text).not.toContain("MKCOL");
    expect(text).toMatch(/http_requests_total\{worker="gateway",method="other",route="[^"]*",status="405"\} \d+/);
    expect(text).toMatch(/http_requests_total\{worker="finance",method="other",route="[^"]*",status="405"\} \d+/);
  });

  it("sends Server-Timing on every answer with D1 and Durable Object counts summed over the workers crossed", async () => {
    const health = await fetch(origin() + "/health", { headers: { Origin: "http://localhost:3000" } });
    expect(Object.keys(timing(health.headers))).toEqual(["total"]);
    expect(health.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("server-timing");

    const { token } = await signUp("timing");
    const me = await call("/v1/users/me", { token });
    expect(me.status).toBe(200);
    const t = timing(me.headers);
    expect(t.total).toBeDefined();
    expect(t.d1.n).toBeGreaterThanOrEqual(1); // the users worker reads the user's row

    const acc = await call("/v1/accounts", { method: "POST", token, json: { name: "Main", type: "checking", currency: "EUR" } });
    expect(acc.status).toBe(201);
    const opened = timing(acc.headers);
    expect(opened.do.n).toBeGreaterThanOrEqual(1);
    const balance = await call(`/v1/accounts/${acc.body.id}/balance`, { token });
    expect(balance.status).toBe(200);
    expect(timing(balance.headers).do.n).toBeGreaterThanOrEqual(1);

    expect(Object.keys(timing((await call("/v1/accounts")).headers))).toContain("total"); // a 401 too

    // A login: the gateway itself reads nothing, so these counts come from the auth worker's header.
    const login = await call("/v1/auth/login", {
      method: "POST",
      json: { email: `nobody-${crypto.randomUUID()}@e2e.test`, password: "not the password 123" },
    });
    expect(login.status).toBe(401);
    expect(timing(login.headers).d1.n).toBeGreaterThanOrEqual(1);
    expect(timing(login.headers).do.n).toBeGreaterThanOrEqual(1);
  });
});
