// The caller's state off D1: the gateway learns a user's status and role from the user's UserState
// object (filled from D1 once for a user older than the object, then written by every change), and the
// object claims Idempotency-Keys, per caller and across accounts. Cross-account views read D1 through a
// D1 session whose bookmark travels in x-d1-bookmark.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, createAccount, createUser, direct, payerAndPayee, timingCounts } from "./support";

const counts = timingCounts;

const userState = (id: string) => {
  const ns = env.USER_STATE as DurableObjectNamespace;
  return ns.get(ns.idFromName(id));
};
const storedKeys = (id: string) =>
  runInDurableObject(userState(id), (_instance, state) => {
    const sql = state.storage.sql;
    if (!sql.exec("SELECT name FROM sqlite_master WHERE name = 'idempotency_keys'").toArray().length) return 0;
    return sql.exec("SELECT count(*) AS n FROM idempotency_keys").one().n as number;
  });

describe("the caller's status and role", () => {
  it("come from the user's object: the gateway runs no D1 statement for an authenticated request", async () => {
    const u = await createUser(); // a user written straight to D1, as one older than the object
    const acc = await createAccount(u.id);
    // The first request fills the object from D1 (inside the object, not the gateway); later ones do not.
    expect((await api(`/v1/accounts/${acc}/balance`, { token: u.token })).status).toBe(200);
    const viaGateway = await api(`/v1/accounts/${acc}/balance`, { token: u.token });
    expect(viaGateway.status).toBe(200);
    const domain = await direct("TransactionsService", u.id, `/v1/accounts/${acc}/balance`);
    // The merged header is the gateway's own counts plus the domain worker's: the difference is the gateway's.
    const gateway = { d1: counts(viaGateway.headers).d1 - domain.timing.d1, do: counts(viaGateway.headers).do - domain.timing.do };
    expect(gateway.d1).toBe(0);
    expect(gateway.do).toBeLessThanOrEqual(1); // the UserState call (0 when the per-isolate copy is fresh)
  });

  it("a suspension through the admin API answers 403 on the user's next request, reactivation 200, a role change applies at once", async () => {
    const admin = await createUser({ role: "admin" });
    const u = await createUser();
    expect((await api("/v1/users/me", { token: u.token })).status).toBe(200);

    const suspended = await api(`/v1/admin/users/${u.id}`, { method: "PATCH", token: admin.token, json: { status: "suspended" } });
    expect(suspended.status).toBe(200);
    const refused = await api("/v1/users/me", { token: u.token });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("forbidden");
    expect((await api("/v1/accounts", { token: u.token })).status).toBe(403);

    expect((await api(`/v1/admin/users/${u.id}`, { method: "PATCH", token: admin.token, json: { status: "active" } })).status).toBe(200);
    expect((await api("/v1/users/me", { token: u.token })).status).toBe(200);

    // Promoted: the same token reaches admin routes; demoted: it no longer does.
    expect((await api("/v1/admin/users", { token: u.token })).status).toBe(403);
    expect((await api(`/v1/admin/users/${u.id}`, { method: "PATCH", token: admin.token, json: { role: "admin" } })).status).toBe(200);
    expect((await api("/v1/admin/users", { token: u.token })).status).toBe(200);
    expect((await api(`/v1/admin/users/${u.id}`, { method: "PATCH", token: admin.token, json: { role: "user" } })).status).toBe(200);
    expect((await api("/v1/admin/users", { token: u.token })).status).toBe(403);
  });

  it("concurrent suspensions and reactivations leave the object as they leave D1", async () => {
    const admin = await createUser({ role: "admin" });
    for (let round = 0; round < 3; round++) {
      const u = await createUser();
      expect((await api("/v1/users/me", { token: u.token })).status).toBe(200);
      const statuses = ["suspended", "active", "suspended", "active", "suspended", "active", "suspended"];
      const answers = await Promise.all(
        statuses.map((status) => api(`/v1/admin/users/${u.id}`, { method: "PATCH", token: admin.token, json: { status } })),
      );
      expect(answers.map((a) => a.status)).toEqual(statuses.map(() => 200));
      const inD1 = (await env.DB.prepare("SELECT status FROM users WHERE id = ?").bind(u.id).first<{ status: string }>())!.status;
      expect((await api("/v1/users/me", { token: u.token })).status).toBe(inD1 === "active" ? 200 : 403);
    }
  });

  it("a registered user is known to the object at once; deletion answers 401 and erases the user's keys", async () => {
    const email = `caller-${crypto.randomUUID()}@example.org`;
    const reg = await api("/v1/auth/register", {
      method: "POST",
      json: { email, password: "a long and unusual passphrase", name: "Caller" },
    });
    expect(reg.status).toBe(201);
    const token = reg.body.access_token as string;
    const id = reg.body.user.id as string;
    const state = await runInDurableObject(userState(id), (_i, s) => s.storage.sql.exec("SELECT status, role FROM caller").toArray());
    expect(state).toEqual([{ status: "active", role: "user" }]);

    const acc = await createAccount(id);
    const keyed = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token,
      idempotencyKey: "erase-me",
      json: { amount: 100, description: "keyed", category: "other" },
    });
    expect(keyed.status).toBe(201);
    expect(await storedKeys(id)).toBe(1);

    expect((await api("/v1/users/me", { method: "DELETE", token })).status).toBe(204);
    const after = await api("/v1/users/me", { token });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe("unauthorized");
    expect(await storedKeys(id)).toBe(0);
  });
});

describe("Idempotency-Keys in the caller's object", () => {
  it("are claimed without D1: a keyed transaction and a keyed payment run no D1 statement in the domain worker", async () => {
    const { a, src, dst } = await payerAndPayee();
    const txn = await direct("TransactionsService", a.id, `/v1/accounts/${src}/transactions`, {
      method: "POST",
      key: crypto.randomUUID(),
      json: { amount: 10_000, description: "salary", category: "income" },
    });
    expect(txn.status, JSON.stringify(txn.body)).toBe(201);
    expect(txn.timing.d1).toBe(0);
    const paid = await direct("PaymentsService", a.id, "/v1/payments", {
      method: "POST",
      key: crypto.randomUUID(),
      json: { source_account_id: src, destination_account_id: dst, amount: 500, currency: "EUR", description: "rent" },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.timing.d1).toBe(0);
  });

  it("a key used on one account and then, with another request, on another account is 422 idempotency_key_reused; the same request replays", async () => {
    const u = await createUser();
    const first = await createAccount(u.id);
    const second = await createAccount(u.id);
    const body = { amount: 700, description: "keyed", category: "other" };
    const ok = await api(`/v1/accounts/${first}/transactions`, { method: "POST", token: u.token, idempotencyKey: "k-1", json: body });
    expect(ok.status).toBe(201);
    const replay = await api(`/v1/accounts/${first}/transactions`, { method: "POST", token: u.token, idempotencyKey: "k-1", json: body });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.id).toBe(ok.body.id);
    const other = await api(`/v1/accounts/${second}/transactions`, { method: "POST", token: u.token, idempotencyKey: "k-1", json: body });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("idempotency_key_reused");
    // Keys are per caller: another user may use the same text.
    const v = await createUser();
    const theirs = await createAccount(v.id);
    expect(
      (await api(`/v1/accounts/${theirs}/transactions`, { method: "POST", token: v.token, idempotencyKey: "k-1", json: body })).status,
    ).toBe(201);
    const balance = await api(`/v1/accounts/${second}/balance`, { token: u.token });
    expect(balance.body.current).toBe(0);
  });

  it("under concurrency, one key sent to many accounts with different requests moves money once", async () => {
    const u = await createUser();
    const accounts = await Promise.all(Array.from({ length: 8 }, () => createAccount(u.id)));
    const results = await Promise.all(
      accounts.map((acc, i) =>
        api(`/v1/accounts/${acc}/transactions`, {
          method: "POST",
          token: u.token,
          idempotencyKey: "race",
          json: { amount: 100 + i, description: "race", category: "other" },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 422 && r.body.code === "idempotency_key_reused")).toHaveLength(7);
    const balances = await Promise.all(accounts.map((acc) => api(`/v1/accounts/${acc}/balance`, { token: u.token })));
    expect(balances.filter((b) => b.body.current !== 0)).toHaveLength(1);
  });
});

describe("cross-account views through a D1 session", () => {
  it("answer an x-d1-bookmark; a read sent with the bookmark of a write sees the write", async () => {
    const u = await createUser();
    const created = await api("/v1/accounts", {
      method: "POST",
      token: u.token,
      json: { name: "Bookmarked", type: "checking", currency: "EUR" },
    });
    expect(created.status).toBe(201);
    const bookmark = created.headers.get("x-d1-bookmark");
    expect(bookmark).toEqual(expect.any(String));
    const list = await api("/v1/accounts", { token: u.token, headers: { "x-d1-bookmark": bookmark! } });
    expect(list.status).toBe(200);
    expect(list.body.data.map((a: { id: string }) => a.id)).toContain(created.body.id);
    expect(list.headers.get("x-d1-bookmark")).toEqual(expect.any(String));
    for (const path of ["/v1/payments", "/v1/reports/summary", "/v1/budgets", "/v1/users/me/export"]) {
      const res = await api(path, { token: u.token });
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.headers.get("x-d1-bookmark"), path).toEqual(expect.any(String));
    }
  });

  it("a malformed bookmark is 400 validation_failed, not a 5xx", async () => {
    const u = await createUser();
    const res = await api("/v1/payments", { token: u.token, headers: { "x-d1-bookmark": "not a bookmark" } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("validation_failed");
  });

  it("CORS allows the request header and exposes the response header", async () => {
    const pre = await api("/v1/payments", {
      method: "OPTIONS",
      headers: {
        Origin: "http://localhost:3000",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-d1-bookmark",
      },
    });
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-d1-bookmark");
    const u = await createUser();
    const res = await api("/v1/payments", { token: u.token, headers: { Origin: "http://localhost:3000" } });
    expect(res.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("x-d1-bookmark");
  });
});
