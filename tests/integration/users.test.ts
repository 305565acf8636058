// Users through the composed gateway: profile, password change, GDPR export and erasure, the audit log,
// and administration (list, role, suspension).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api as call, type CallInit } from "./support";

const api = (path: string, init: CallInit = {}) => call(path, { ...init, ip: init.ip ?? "198.51.100.7" });

let n = 0;
const uniqueEmail = () => `member${Date.now().toString(36)}${n++}@example.org`;
const PASSWORD = "a long and unusual passphrase";

async function register(email = uniqueEmail()) {
  const res = await api("/v1/auth/register", { method: "POST", json: { email, password: PASSWORD, name: "Grace Hopper" } });
  expect(res.status, res.text).toBe(201);
  return { ...res.body, email } as { user: { id: string }; access_token: string; refresh_token: string; email: string };
}
const login = (email: string, password = PASSWORD) => api("/v1/auth/login", { method: "POST", json: { email, password } });
/** The OAuth client-credentials grant for a client made by POST /v1/oauth/clients. */
const clientCredentials = (client: { client_id: string; client_secret: string }) =>
  api("/v1/oauth/token", {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
    }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });

/** What `npm run admin:create` does, straight in D1; then a fresh login carries role admin. */
async function admin() {
  const s = await register();
  await env.DB.prepare("update users set role = 'admin' where id = ?").bind(s.user.id).run();
  const res = await login(s.email);
  expect(res.body.user.role).toBe("admin");
  return { ...s, access_token: res.body.access_token as string };
}

describe("GET and PATCH /v1/users/me", () => {
  it("answers the profile, and 401 without a token", async () => {
    const s = await register();
    const me = await api("/v1/users/me", { token: s.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: s.user.id,
      email: s.email,
      name: "Grace Hopper",
      role: "user",
      status: "active",
      locale: "en",
      timezone: "UTC",
      base_currency: "EUR",
      tax_residence: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect((await api("/v1/users/me")).status).toBe(401);
  });

  it("updates the editable fields and canonicalises the locale", async () => {
    const s = await register();
    const res = await api("/v1/users/me", {
      method: "PATCH",
      token: s.access_token,
      json: { name: "Rear Admiral Hopper", locale: "fr-fr", timezone: "Europe/Paris", base_currency: "USD", tax_residence: "FR" },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      name: "Rear Admiral Hopper",
      locale: "fr-FR",
      timezone: "Europe/Paris",
      base_currency: "USD",
      tax_residence: "FR",
    });
    expect((await api("/v1/users/me", { token: s.access_token })).body.locale).toBe("fr-FR");
    const cleared = await api("/v1/users/me", { method: "PATCH", token: s.access_token, json: { tax_residence: null } });
    expect(cleared.body.tax_residence).toBeNull();
  });

  it.each([
    [{ role: "admin" }, "role"],
    [{ email: "new@example.org" }, "email"],
    [{ status: "active" }, "status"],
    [{ timezone: "Mars/Olympus" }, "timezone"],
    [{ locale: "not a locale!" }, "locale"],
    [{ base_currency: "eur" }, "base_currency"],
    [{ tax_residence: "France" }, "tax_residence"],
    [{ tax_residence: "ZZ" }, "tax_residence"],
    [{ tax_residence: "QQ" }, "tax_residence"],
    [{ tax_residence: "EU" }, "tax_residence"],
    [{ tax_residence: "UK" }, "tax_residence"],
    [{ name: "" }, "name"],
  ])("refuses %j with 422 on %s", async (body, path) => {
    const s = await register();
    const res = await api("/v1/users/me", { method: "PATCH", token: s.access_token, json: body });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await api("/v1/users/me", { token: s.access_token })).body.role).toBe("user");
  });
});

describe("POST /v1/users/me/password", () => {
  it("changes the password and revokes every refresh token", async () => {
    const s = await register();
    const second = await login(s.email);
    const res = await api("/v1/users/me/password", {
      method: "POST",
      token: s.access_token,
      json: { current_password: PASSWORD, new_password: "an even longer passphrase" },
    });
    expect(res.status).toBe(204);
    for (const token of [s.refresh_token, second.body.refresh_token])
      expect((await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: token } })).status).toBe(401);
    expect((await login(s.email)).status).toBe(401);
    expect((await login(s.email, "an even longer passphrase")).status).toBe(200);
    const audit = await api("/v1/users/me/audit", { token: s.access_token });
    expect(audit.body.data[0].type).toBe("login");
    expect(audit.body.data.map((e: { type: string }) => e.type)).toContain("password_change");
  });

  it("refuses a wrong current password and a weak new one", async () => {
    const s = await register();
    const wrong = await api("/v1/users/me/password", {
      method: "POST",
      token: s.access_token,
      json: { current_password: "not my password", new_password: "an even longer passphrase" },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([{ path: "current_password", message: "is incorrect" }]);
    const weak = await api("/v1/users/me/password", {
      method: "POST",
      token: s.access_token,
      json: { current_password: PASSWORD, new_password: "password123" },
    });
    expect(weak.status).toBe(422);
    expect(weak.body.errors[0].path).toBe("new_password");
    expect((await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: s.refresh_token } })).status).toBe(200);
  });
});

describe("GDPR export and erasure", () => {
  it("exports the user's data without any secret", async () => {
    const s = await register();
    const client = await api("/v1/auth/clients", {
      method: "POST",
      token: s.access_token,
      json: { name: "Bookkeeping", scopes: ["accounts:read"] },
    });
    await env.DB.prepare(
      "insert into accounts (id, user_id, name, type, currency, overdraft_limit, status) values (?, ?, 'Main', 'checking', 'EUR', 0, 'open')",
    )
      .bind(`acc_${s.user.id.slice(4)}`, s.user.id)
      .run();
    const res = await api("/v1/users/me/export", { token: s.access_token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    expect(res.body.user).toMatchObject({ id: s.user.id, email: s.email });
    expect(res.body.api_clients).toEqual([
      expect.objectContaining({ client_id: client.body.client_id, name: "Bookkeeping", scopes: ["accounts:read"] }),
    ]);
    expect(res.body.accounts).toEqual([expect.objectContaining({ name: "Main", currency: "EUR", user_id: s.user.id })]);
    expect(res.body.audit_events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(["register", "client_created"]));
    expect(res.body.sessions).toHaveLength(1);
    for (const key of ["transactions", "payments", "budgets", "categories", "imports"]) expect(Array.isArray(res.body[key])).toBe(true);
    expect(res.text).not.toContain(PASSWORD);
    expect(res.text).not.toContain(s.refresh_token);
    expect(res.text).not.toContain(client.body.client_secret);
    expect(res.text).not.toMatch(/scrypt\$|token_hash|secret_hash|password_hash/);
  });

  it("DELETE erases personal data: tokens stop, login is impossible, the ledger stays", async () => {
    const s = await register();
    const client = await api("/v1/auth/clients", { method: "POST", token: s.access_token, json: { name: "x", scopes: ["tax:read"] } });
    await env.DB.prepare(
      "insert into entries (id, account_id, user_id, version, amount, currency, description, category, occurred_at, occurred_date, balance_after, hash, created_at) values (?, 'acc_x', ?, 1, 1000, 'EUR', 'Salary', 'income', '2026-01-01', '2026-01-01', 1000, 'h', '2026-01-01T00:00:00.000Z')",
    )
      .bind(`txn_${s.user.id.slice(4)}`, s.user.id)
      .run();

    expect((await api("/v1/users/me", { method: "DELETE", token: s.access_token })).status).toBe(204);
    expect((await api("/v1/users/me", { token: s.access_token })).status).toBe(401);
    const loginRes = await login(s.email);
    expect(loginRes.status).toBe(401);
    expect(loginRes.body.code).toBe("unauthorized");
    expect((await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: s.refresh_token } })).status).toBe(401);
    const cc = await clientCredentials(client.body);
    expect(cc.body.error).toBe("invalid_client");

    const row = await env.DB.prepare("select * from users where id = ?").bind(s.user.id).first<Record<string, unknown>>();
    expect(row).toMatchObject({ email: null, name: null, password_hash: null, tax_residence: null, status: "deleted" });
    expect(row!.deleted_at).toBeTruthy();
    const ips = await env.DB.prepare("select count(*) as n from audit_events where user_id = ? and ip is not null")
      .bind(s.user.id)
      .first<{ n: number }>();
    expect(ips!.n).toBe(0);
    const ledger = await env.DB.prepare("select count(*) as n from entries where user_id = ?").bind(s.user.id).first<{ n: number }>();
    expect(ledger!.n).toBe(1);
    // The address is free again: a new, unrelated account.
    const again = await register(s.email);
    expect(again.user.id).not.toBe(s.user.id);
  });
});

describe("GET /v1/users/me/audit", () => {
  it("lists security events newest first with time, IP and request id, paginated by cursor", async () => {
    const s = await register();
    await api("/v1/auth/login", {
      method: "POST",
      json: { email: s.email, password: "wrong password here" },
      headers: { "x-request-id": "audit-failed-1", "cf-connecting-ip": "192.0.2.10" },
    });
    await api("/v1/auth/login", {
      method: "POST",
      json: { email: s.email, password: PASSWORD },
      headers: { "x-request-id": "audit-login-1", "cf-connecting-ip": "192.0.2.11" },
    });
    await api("/v1/auth/clients", { method: "POST", token: s.access_token, json: { name: "x", scopes: ["ai:read"] } });

    const first = await api("/v1/users/me/audit?limit=2", { token: s.access_token });
    expect(first.status).toBe(200);
    expect(first.body.data.map((e: { type: string }) => e.type)).toEqual(["client_created", "login"]);
    expect(first.body.data[1]).toMatchObject({ ip: "192.0.2.11", request_id: "audit-login-1", created_at: expect.any(String) });
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await api(`/v1/users/me/audit?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`, { token: s.access_token });
    expect(second.body.data.map((e: { type: string }) => e.type)).toEqual(["login_failed", "register"]);
    expect(second.body.data[0]).toMatchObject({ ip: "192.0.2.10", request_id: "audit-failed-1" });
    expect(second.body.next_cursor).toBeNull();

    expect((await api("/v1/users/me/audit?limit=0", { token: s.access_token })).status).toBe(400);
    expect((await api("/v1/users/me/audit?cursor=garbage", { token: s.access_token })).status).toBe(400);
    // Another user's events never show.
    const other = await register();
    expect((await api("/v1/users/me/audit", { token: other.access_token })).body.data.map((e: { type: string }) => e.type)).toEqual([
      "register",
    ]);
  });
});

describe("administration", () => {
  it("is refused to ordinary users and to API clients of an admin", async () => {
    const s = await register();
    const res = await api("/v1/admin/users", { token: s.access_token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("forbidden");
    const a = await admin();
    const client = await api("/v1/auth/clients", { method: "POST", token: a.access_token, json: { name: "x", scopes: ["accounts:read"] } });
    const tok = await clientCredentials(client.body);
    expect((await api("/v1/admin/users", { token: tok.body.access_token })).status).toBe(403);
  });

  it("lists users newest first with pagination and filters", async () => {
    const a = await admin();
    const u1 = await register();
    const u2 = await register();
    const page1 = await api("/v1/admin/users?limit=2", { token: a.access_token });
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((u: { id: string }) => u.id)).toEqual([u2.user.id, u1.user.id]);
    expect(page1.body.data[0]).not.toHaveProperty("password_hash");
    const page2 = await api(`/v1/admin/users?limit=2&cursor=${page1.body.next_cursor}`, { token: a.access_token });
    expect(page2.body.data[0].id).toBe(a.user.id);
    const byEmail = await api(`/v1/admin/users?email=${encodeURIComponent(u1.email.toUpperCase())}`, { token: a.access_token });
    expect(byEmail.body.data.map((u: { id: string }) => u.id)).toEqual([u1.user.id]);
  });

  it("suspension: the user's tokens answer 403 at once, refresh tokens are revoked, reactivation restores access", async () => {
    const a = await admin();
    const u = await register();
    const client = await api("/v1/auth/clients", { method: "POST", token: u.access_token, json: { name: "x", scopes: ["tax:read"] } });
    const suspend = await api(`/v1/admin/users/${u.user.id}`, { method: "PATCH", token: a.access_token, json: { status: "suspended" } });
    expect(suspend.status).toBe(200);
    expect(suspend.body.status).toBe("suspended");

    const me = await api("/v1/users/me", { token: u.access_token });
    expect(me.status).toBe(403);
    expect(me.body.code).toBe("forbidden");
    expect((await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: u.refresh_token } })).status).toBe(401);
    expect((await login(u.email)).status).toBe(403);
    const cc = await clientCredentials(client.body);
    expect(cc.body.error).toBe("unauthorized_client");

    const reactivate = await api(`/v1/admin/users/${u.user.id}`, { method: "PATCH", token: a.access_token, json: { status: "active" } });
    expect(reactivate.body.status).toBe("active");
    const back = await login(u.email);
    expect(back.status).toBe(200);
    const audit = await api("/v1/users/me/audit", { token: back.body.access_token });
    const types = audit.body.data.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(["user_suspended", "user_reactivated"]));
    expect(audit.body.data.find((e: { type: string }) => e.type === "user_suspended").detail).toEqual({ by: a.user.id });
  });

  it("changes roles; refuses self-changes (409), unknown ids (404) and unknown fields (422)", async () => {
    const a = await admin();
    const u = await register();
    const promoted = await api(`/v1/admin/users/${u.user.id}`, { method: "PATCH", token: a.access_token, json: { role: "admin" } });
    expect(promoted.body.role).toBe("admin");
    // The gateway reads the role from D1: the user's existing token now reaches admin routes.
    expect((await api("/v1/admin/users", { token: u.access_token })).status).toBe(200);
    expect(
      (await api(`/v1/admin/users/${a.user.id}`, { method: "PATCH", token: a.access_token, json: { status: "suspended" } })).status,
    ).toBe(409);
    expect(
      (await api(`/v1/admin/users/usr_doesnotexist`, { method: "PATCH", token: a.access_token, json: { status: "suspended" } })).status,
    ).toBe(404);
    const extra = await api(`/v1/admin/users/${u.user.id}`, { method: "PATCH", token: a.access_token, json: { status: "deleted" } });
    expect(extra.status).toBe(422);
    const unknown = await api(`/v1/admin/users/${u.user.id}`, { method: "PATCH", token: a.access_token, json: { email: "x@y.z" } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toContainEqual({ path: "email", message: "unknown field" });
  });
});
