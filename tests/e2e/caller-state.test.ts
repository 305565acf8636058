// The caller's state off D1, over real HTTP against `wrangler dev`: the gateway reads no D1 for an
// authenticated request, a suspension or deletion through the API applies within 5 s, Idempotency-Keys
// are claimed without D1 across accounts, and cross-account views answer an x-d1-bookmark.
import { describe, expect, it } from "vitest";
import { adminCreate, call, expectProblem, openAccount, preflight } from "./helpers";

const PASSWORD = "an e2e passphrase that is long";
/** The bound promised for a suspension or deletion to reach every request. */
const BOUND_MS = 5000;

async function signUp(label: string) {
  const email = `${label}-${crypto.randomUUID()}@e2e.test`;
  const res = await call("/v1/auth/register", { method: "POST", json: { email, password: PASSWORD, name: label } });
  expect(res.status, res.text).toBe(201);
  return { email, id: res.body.user.id as string, token: res.body.access_token as string };
}

async function signUpAdmin() {
  const a = await signUp("caller-admin");
  adminCreate(a.email);
  const relog = await call("/v1/auth/login", { method: "POST", json: { email: a.email, password: PASSWORD } });
  expect(relog.status).toBe(200);
  return { ...a, token: relog.body.access_token as string };
}

/** D1 statements and Durable Object calls of a Server-Timing header (absent = 0). */
function counts(headers: Headers) {
  const n = (name: string) =>
    Number(new RegExp(`(?:^|,)\\s*${name};[^,]*desc="?(\\d+)`).exec(headers.get("server-timing") ?? "")?.[1] ?? 0);
  return { d1: n("d1"), do: n("do") };
}

/** Polls `path` with `token` until it answers `status`; returns the milliseconds that took. */
async function msUntil(path: string, token: string, status: number) {
  const started = Date.now();
  for (;;) {
    const res = await call(path, { token });
    if (res.status === status) return Date.now() - started;
    if (Date.now() - started > BOUND_MS * 2) throw new Error(`still ${res.status} after ${Date.now() - started} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the caller's state over real HTTP", () => {
  it("costs the gateway no D1 statement: a balance read and a keyed payment run none anywhere", async () => {
    const a = await signUp("caller-d1");
    const b = await signUp("caller-d1-payee");
    const src = await call("/v1/accounts", { method: "POST", token: a.token, json: { name: "Main", type: "checking", currency: "EUR" } });
    const dst = await call("/v1/accounts", { method: "POST", token: b.token, json: { name: "Main", type: "checking", currency: "EUR" } });
    expect(
      await call(`/v1/accounts/${src.body.id}/transactions`, {
        method: "POST",
        token: a.token,
        json: { amount: 10_000, description: "salary", category: "income" },
      }),
    ).toMatchObject({ status: 201 });

    const balance = await call(`/v1/accounts/${src.body.id}/balance`, { token: a.token });
    expect(balance.status).toBe(200);
    expect(counts(balance.headers).d1).toBe(0); // the gateway's share included: the merged header sums every worker
    const paid = await call("/v1/payments", {
      method: "POST",
      token: a.token,
      headers: { "idempotency-key": crypto.randomUUID() },
      json: { source_account_id: src.body.id, destination_account_id: dst.body.id, amount: 500, currency: "EUR", description: "rent" },
    });
    expect(paid.status, paid.text).toBe(201);
    expect(counts(paid.headers).d1).toBe(0);
  });

  it(`applies a suspension within ${BOUND_MS} ms (403), a reactivation, and a deletion (401)`, async () => {
    const admin = await signUpAdmin();
    const u = await signUp("caller-suspended");
    expect((await call("/v1/users/me", { token: u.token })).status).toBe(200);

    const suspended = await call(`/v1/admin/users/${u.id}`, { method: "PATCH", token: admin.token, json: { status: "suspended" } });
    expect(suspended.status).toBe(200);
    expect(await msUntil("/v1/users/me", u.token, 403)).toBeLessThanOrEqual(BOUND_MS);
    expectProblem(await call("/v1/accounts", { token: u.token }), 403, "forbidden");

    expect((await call(`/v1/admin/users/${u.id}`, { method: "PATCH", token: admin.token, json: { status: "active" } })).status).toBe(200);
    expect(await msUntil("/v1/users/me", u.token, 200)).toBeLessThanOrEqual(BOUND_MS);

    expect((await call("/v1/users/me", { method: "DELETE", token: u.token })).status).toBe(204);
    expect(await msUntil("/v1/users/me", u.token, 401)).toBeLessThanOrEqual(BOUND_MS);
    expectProblem(await call("/v1/users/me", { token: u.token }), 401, "unauthorized");
  });

  it("refuses a key reused with another request on another account (422), without D1", async () => {
    const u = await signUp("caller-keys");
    const [one, two] = await Promise.all(
      ["One", "Two"].map((name) =>
        call("/v1/accounts", { method: "POST", token: u.token, json: { name, type: "checking", currency: "EUR" } }),
      ),
    );
    const key = crypto.randomUUID();
    const first = await call(`/v1/accounts/${one.body.id}/transactions`, {
      method: "POST",
      token: u.token,
      headers: { "idempotency-key": key },
      json: { amount: 300, description: "keyed", category: "other" },
    });
    expect(first.status).toBe(201);
    expect(counts(first.headers).d1).toBe(0);
    const replay = await call(`/v1/accounts/${one.body.id}/transactions`, {
      method: "POST",
      token: u.token,
      headers: { "idempotency-key": key },
      json: { amount: 300, description: "keyed", category: "other" },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expectProblem(
      await call(`/v1/accounts/${two.body.id}/transactions`, {
        method: "POST",
        token: u.token,
        headers: { "idempotency-key": key },
        json: { amount: 300, description: "keyed", category: "other" },
      }),
      422,
      "idempotency_key_reused",
    );
    expect((await call(`/v1/accounts/${two.body.id}/balance`, { token: u.token })).body.current).toBe(0);
  });

  it("returns an x-d1-bookmark; a cross-account read with a write's bookmark sees the write; CORS lets a browser use it", async () => {
    const u = await signUp("caller-bookmark");
    const created = await openAccount(u.token, { name: "Bookmarked", type: "savings" });
    expect(created.status).toBe(201);
    const bookmark = created.headers.get("x-d1-bookmark");
    expect(bookmark).toMatch(/^[0-9a-f-]+$/);
    const list = await call("/v1/accounts", { token: u.token, headers: { "x-d1-bookmark": bookmark! } });
    expect(list.body.data.map((a: { id: string }) => a.id)).toContain(created.body.id);
    expect(list.headers.get("x-d1-bookmark")).toMatch(/^[0-9a-f-]+$/);
    expectProblem(await call("/v1/payments", { token: u.token, headers: { "x-d1-bookmark": "not a bookmark" } }), 400, "validation_failed");

    const pre = await preflight("/v1/payments", "GET", "x-d1-bookmark");
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-d1-bookmark");
    const cors = await call("/v1/payments", { token: u.token, headers: { Origin: "http://localhost:3000" } });
    expect(cors.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("x-d1-bookmark");
  });
});
