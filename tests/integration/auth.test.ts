// Auth through the composed gateway: register, login, throttling, refresh rotation and reuse detection,
// logout, API clients, the OAuth token endpoint, published keys and metadata, and forged tokens.
import { env } from "cloudflare:test";
import {
  SignJWT,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JSONWebKeySet,
} from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SCOPES, createDomainApp, defineRoute, jsonResponse, z } from "#core";
import { hashPassword } from "#core/password";
import { ORIGIN, api as call, type CallInit } from "./support";

let ipCounter = 0;
/** Each test gets its own client IP so per-IP throttling from one test never leaks into another. */
let currentIp = "203.0.113.1";

const api = (path: string, init: CallInit = {}) => call(path, { ...init, ip: init.ip ?? currentIp });

const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  api(path, {
    method: "POST",
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });

let n = 0;
const uniqueEmail = () => `user${Date.now().toString(36)}${n++}@example.com`;
const PASSWORD = "correct horse battery staple";

async function register(email = uniqueEmail(), password = PASSWORD) {
  const res = await api("/v1/auth/register", { method: "POST", json: { email, password, name: "Ada Lovelace" } });
  expect(res.status, res.text).toBe(201);
  return { ...res.body, email, password } as {
    user: { id: string };
    access_token: string;
    refresh_token: string;
    email: string;
    password: string;
  };
}

async function jwks() {
  const res = await api("/.well-known/jwks.json");
  return createLocalJWKSet(res.body as JSONWebKeySet);
}

const signingKey = async () => {
  const [jwk] = JSON.parse(env.JWT_SIGNING_KEYS as string) as (JsonWebKey & { kid: string })[];
  return { kid: jwk.kid, key: await importJWK(jwk, "EdDSA") };
};

const logs: string[] = [];
beforeEach(() => {
  currentIp = `203.0.113.${++ipCounter}`;
  logs.length = 0;
  for (const m of ["log", "error", "warn", "info"] as const)
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
});
afterEach(() => vi.restoreAllMocks());

describe("register", () => {
  it("creates the user and answers a verifiable EdDSA access token and an opaque refresh token", async () => {
    const email = uniqueEmail();
    const res = await api("/v1/auth/register", { method: "POST", json: { email: email.toUpperCase(), password: PASSWORD, name: "Ada" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(Object.keys(res.body.user).sort()).toEqual(
      ["base_currency", "created_at", "email", "id", "locale", "name", "role", "status", "tax_residence", "timezone"].sort(),
    );
    expect(res.body.user).toMatchObject({
      email,
      name: "Ada",
      role: "user",
      status: "active",
      locale: "en",
      timezone: "UTC",
      base_currency: "EUR",
    });
    expect(res.body.user.id).toMatch(/^usr_[0-9a-z]{26}$/);

    const header = decodeProtectedHeader(res.body.access_token);
    expect(header).toMatchObject({ alg: "EdDSA", kid: "test-key" });
    const { payload } = await jwtVerify(res.body.access_token, await jwks(), {
      issuer: ORIGIN,
      audience: "edge-finance-api",
      algorithms: ["EdDSA"],
    });
    expect(payload.sub).toBe(res.body.user.id);
    expect(payload.role).toBe("user");
    expect(String(payload.scope).split(" ").sort()).toEqual([...SCOPES].sort());
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(900);
    expect(res.body.refresh_token).toMatch(/^eft_rt_[A-Za-z0-9_-]{43}$/);

    const row = await env.DB.prepare("select email, password_hash from users where id = ?")
      .bind(res.body.user.id)
      .first<{ email: string; password_hash: string }>();
    expect(row!.email).toBe(email);
    expect(row!.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(res.text).not.toContain("scrypt$");
    expect(res.text).not.toContain(PASSWORD);
  });

  it("keeps emails unique case-insensitively (409 conflict)", async () => {
    const { email } = await register();
    const res = await api("/v1/auth/register", { method: "POST", json: { email: email.toUpperCase(), password: PASSWORD, name: "Twin" } });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.code).toBe("conflict");
  });

  it.each([
    ["short", "tiny pass"],
    ["common", "qwertyuiop"],
    ["common, other case", "PassWord123"],
    ["one character repeated", "aaaaaaaaaaaa"],
  ])("refuses a weak password (%s) with 422 on the password field", async (_label, password) => {
    const res = await api("/v1/auth/register", { method: "POST", json: { email: uniqueEmail(), password, name: "Weak" } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain("password");
    expect(res.text).not.toContain(password);
  });

  it("refuses unknown fields, bad emails and malformed JSON", async () => {
    const unknown = await api("/v1/auth/register", {
      method: "POST",
      json: { email: uniqueEmail(), password: PASSWORD, name: "X", role: "admin" },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toContainEqual({ path: "role", message: "unknown field" });
    const email = await api("/v1/auth/register", { method: "POST", json: { email: "not-an-email", password: PASSWORD, name: "X" } });
    expect(email.status).toBe(422);
    expect(email.body.errors[0].path).toBe("email");
    const malformed = await api("/v1/auth/register", { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    expect(malformed.status).toBe(400);
  });
});

describe("login", () => {
  it("signs in with the right password, whatever the email's case", async () => {
    const { email, user } = await register();
    const res = await api("/v1/auth/login", { method: "POST", json: { email: email.toUpperCase(), password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
    const me = await api("/v1/users/me", { token: res.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);
  });

  it("answers the same 401 for a wrong password and an unknown email, and logs neither password", async () => {
    const { email } = await register();
    const wrong = await api("/v1/auth/login", { method: "POST", json: { email, password: "wrong password 123" } });
    const unknown = await api("/v1/auth/login", { method: "POST", json: { email: uniqueEmail(), password: "wrong password 123" } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.body.code).toBe("unauthorized");
    expect(logs.join("\n")).not.toContain("wrong password 123");
  });

  it("takes similar time for an unknown email and a wrong password (a dummy hash is checked)", async () => {
    const { email } = await register();
    const time = async (e: string) => {
      const t = performance.now();
      await api("/v1/auth/login", { method: "POST", json: { email: e, password: "wrong password 123" }, ip: `198.51.100.${n++ % 250}` });
      return performance.now() - t;
    };
    // workerd freezes timers between I/O, so compare with a measurable floor: both paths run scrypt.
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(email));
      unknown.push(await time(uniqueEmail()));
    }
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[1];
    expect(med(unknown)).toBeGreaterThan(med(known) * 0.4);
  });

  it("throttles repeated failures per email from one address: 429 with Retry-After, even for the right password", async () => {
    const { email } = await register();
    for (let i = 0; i < 5; i++) {
      const res = await api("/v1/auth/login", { method: "POST", json: { email, password: `wrong password ${i}` }, ip: "198.18.0.99" });
      expect(res.status).toBe(401);
    }
    const locked = await api("/v1/auth/login", { method: "POST", json: { email, password: PASSWORD }, ip: "198.18.0.99" });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe("rate_limited");
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(locked.headers.get("ratelimit-remaining")).toBe("0");
    // Another email from the same client is not affected.
    const other = await register();
    expect(
      (await api("/v1/auth/login", { method: "POST", json: { email: other.email, password: PASSWORD }, ip: "198.18.0.99" })).status,
    ).toBe(200);
  });

  it("throttles repeated failures per client IP across many emails", async () => {
    const ip = "192.0.2.77";
    const { email } = await register();
    for (let i = 0; i < 30; i++) {
      const res = await api("/v1/auth/login", { method: "POST", json: { email: uniqueEmail(), password: "wrong password 123" }, ip });
      expect(res.status).toBe(401);
    }
    const locked = await api("/v1/auth/login", { method: "POST", json: { email, password: PASSWORD }, ip });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    // The same user from another address still signs in.
    expect((await api("/v1/auth/login", { method: "POST", json: { email, password: PASSWORD }, ip: "192.0.2.78" })).status).toBe(200);
  });

  it("upgrades a hash made with weaker scrypt parameters on the next successful login", async () => {
    const { email, user } = await register();
    await env.DB.prepare("update users set password_hash = ? where id = ?")
      .bind(await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }), user.id)
      .run();
    expect((await api("/v1/auth/login", { method: "POST", json: { email, password: PASSWORD } })).status).toBe(200);
    const row = await env.DB.prepare("select password_hash from users where id = ?").bind(user.id).first<{ password_hash: string }>();
    expect(row!.password_hash.startsWith("scrypt$16384$8$1$")).toBe(true);
    expect((await api("/v1/auth/login", { method: "POST", json: { email, password: PASSWORD } })).status).toBe(200);
  });

  it("a successful login clears the email's failures", async () => {
    const { email } = await register();
    for (let i = 0; i < 4; i++) await api("/v1/auth/login", { method: "POST", json: { email, password: "wrong password 123" } });
    expect((await api("/v1/auth/login", { method: "POST", json: { email, password: PASSWORD } })).status).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await api("/v1/auth/login", { method: "POST", json: { email, password: "wrong password 123" } })).status).toBe(401);
  });
});

describe("refresh tokens", () => {
  it("rotate on every use; a reused token answers 401 and revokes the whole family", async () => {
    const session = await register();
    const first = await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: session.refresh_token } });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(session.refresh_token);
    expect(first.body.access_token).not.toBe(session.access_token);
    expect(first.body.user.id).toBe(session.user.id);
    const second = await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: first.body.refresh_token } });
    expect(second.status).toBe(200);

    // The first token again: reuse. Its family (including the newest token) is revoked.
    const reuse = await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: session.refresh_token } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe("unauthorized");
    const newest = await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: second.body.refresh_token } });
    expect(newest.status).toBe(401);

    const audit = await api("/v1/users/me/audit?limit=100", { token: second.body.access_token });
    expect(audit.body.data.map((e: { type: string }) => e.type)).toContain("refresh_reuse");
    // Another session of the same user (another family) still works.
    const other = await api("/v1/auth/login", { method: "POST", json: { email: session.email, password: PASSWORD } });
    expect((await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: other.body.refresh_token } })).status).toBe(200);
  });

  it("of two concurrent uses of one token, at most one succeeds", async () => {
    const session = await register();
    const results = await Promise.all(
      [1, 2, 3].map(() => api("/v1/auth/refresh", { method: "POST", json: { refresh_token: session.refresh_token } })),
    );
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
  });

  it("rejects unknown and malformed tokens", async () => {
    expect((await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: "eft_rt_nope" } })).status).toBe(401);
    expect((await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: "x".repeat(100) } })).status).toBe(401);
    expect((await api("/v1/auth/refresh", { method: "POST", json: {} })).status).toBe(422);
  });

  it("stores only a hash of the refresh token", async () => {
    const session = await register();
    const rows = await env.DB.prepare("select token_hash from refresh_tokens where user_id = ?")
      .bind(session.user.id)
      .all<{ token_hash: string }>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.results[0].token_hash).not.toContain(session.refresh_token.slice(7));
  });
});

describe("logout", () => {
  it("answers 204 and the refresh token stops working", async () => {
    const session = await register();
    const out = await api("/v1/auth/logout", { method: "POST", json: { refresh_token: session.refresh_token } });
    expect(out.status).toBe(204);
    expect((await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: session.refresh_token } })).status).toBe(401);
    // Unknown tokens answer 204 too: logout reveals nothing.
    expect((await api("/v1/auth/logout", { method: "POST", json: { refresh_token: "eft_rt_unknown" } })).status).toBe(204);
  });
});

describe("API clients and the OAuth token endpoint", () => {
  async function newClient(scopes: string[] = ["accounts:read", "tax:read"]) {
    const owner = await register();
    const res = await api("/v1/auth/clients", { method: "POST", token: owner.access_token, json: { name: "Exporter", scopes } });
    expect(res.status, res.text).toBe(201);
    return { owner, client: res.body as { client_id: string; client_secret: string; scopes: string[] } };
  }
  const basic = (id: string, secret: string) =>
    "Basic " + btoa(`${encodeURIComponent(id).replace(/%20/g, "+")}:${encodeURIComponent(secret).replace(/%20/g, "+")}`);
  /** Percent-encodes every character: a legal form-urlencoding the server must decode. */
  const encodeAll = (s: string) =>
    [...new TextEncoder().encode(s)].map((b) => "%" + b.toString(16).toUpperCase().padStart(2, "0")).join("");

  it("creating a client needs a bearer token and returns the secret once, stored hashed", async () => {
    expect((await api("/v1/auth/clients", { method: "POST", json: { name: "x", scopes: ["tax:read"] } })).status).toBe(401);
    const { owner, client } = await newClient();
    expect(client.client_id).toMatch(/^cli_/);
    expect(client.client_secret).toMatch(/^eft_cs_/);
    expect(client.scopes).toEqual(["accounts:read", "tax:read"]);
    const list = await api("/v1/auth/clients", { token: owner.access_token });
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0].client_id).toBe(client.client_id);
    expect(list.text).not.toContain(client.client_secret);
    const row = await env.DB.prepare("select secret_hash from api_clients where id = ?")
      .bind(client.client_id)
      .first<{ secret_hash: string }>();
    expect(row!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    const audit = await api("/v1/users/me/audit", { token: owner.access_token });
    expect(audit.body.data[0]).toMatchObject({ type: "client_created", detail: { client_id: client.client_id } });
  });

  it("refuses unknown scopes and unknown fields", async () => {
    const owner = await register();
    const bad = await api("/v1/auth/clients", { method: "POST", token: owner.access_token, json: { name: "x", scopes: ["admin"] } });
    expect(bad.status).toBe(422);
    const extra = await api("/v1/auth/clients", {
      method: "POST",
      token: owner.access_token,
      json: { name: "x", scopes: ["tax:read"], secret: "mine" },
    });
    expect(extra.status).toBe(422);
  });

  it("issues client-credentials tokens with client_secret_basic (form-urlencoded id and secret) carrying only granted scopes", async () => {
    const { owner, client } = await newClient();
    const res = await form(
      "/v1/oauth/token",
      { grant_type: "client_credentials" },
      { authorization: "Basic " + btoa(`${encodeAll(client.client_id)}:${encodeAll(client.client_secret)}`) },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "accounts:read tax:read" });
    expect(res.body.refresh_token).toBeUndefined();
    const { payload } = await jwtVerify(res.body.access_token, await jwks(), { issuer: ORIGIN, audience: "edge-finance-api" });
    expect(payload).toMatchObject({ sub: owner.user.id, client_id: client.client_id, scope: "accounts:read tax:read", role: "user" });
    // Plain (unencoded) Basic works too, since the generated ids and secrets need no escaping.
    expect(
      (
        await form(
          "/v1/oauth/token",
          { grant_type: "client_credentials" },
          { authorization: basic(client.client_id, client.client_secret) },
        )
      ).status,
    ).toBe(200);
  });

  it("issues tokens with client_secret_post and narrows to a requested scope", async () => {
    const { client } = await newClient();
    const res = await form("/v1/oauth/token", {
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
      scope: "tax:read",
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe("tax:read");
    expect(decodeJwt(res.body.access_token).scope).toBe("tax:read");
  });

  it("answers RFC 6749 §5.2 errors", async () => {
    const { client } = await newClient();
    const wrong = await form(
      "/v1/oauth/token",
      { grant_type: "client_credentials" },
      { authorization: basic(client.client_id, client.client_secret + "x") },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("content-type")).toContain("application/json");
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect(wrong.body).toEqual({ error: "invalid_client", error_description: expect.any(String) });
    expect(
      (await form("/v1/oauth/token", { grant_type: "client_credentials", client_id: "cli_nope", client_secret: "nope" })).body.error,
    ).toBe("invalid_client");
    expect((await form("/v1/oauth/token", { grant_type: "client_credentials" })).body.error).toBe("invalid_client");
    const widen = await form("/v1/oauth/token", {
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
      scope: "payments:write",
    });
    expect(widen.status).toBe(400);
    expect(widen.body.error).toBe("invalid_scope");
    expect(
      (await form("/v1/oauth/token", { grant_type: "password", client_id: client.client_id, client_secret: client.client_secret })).body
        .error,
    ).toBe("unsupported_grant_type");
    expect((await form("/v1/oauth/token", { client_id: client.client_id, client_secret: client.client_secret })).body.error).toBe(
      "invalid_request",
    );
    const both = await form(
      "/v1/oauth/token",
      { grant_type: "client_credentials", client_secret: client.client_secret },
      { authorization: basic(client.client_id, client.client_secret) },
    );
    expect(both.body.error).toBe("invalid_request");
    const json = await api("/v1/oauth/token", { method: "POST", json: { grant_type: "client_credentials" } });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe("invalid_request");
    const repeated = await api("/v1/oauth/token", {
      method: "POST",
      body: "grant_type=client_credentials&grant_type=refresh_token",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(repeated.body.error).toBe("invalid_request");
  });

  it("client tokens get 403 where a scope they lack is needed, and cannot manage clients", async () => {
    const { client } = await newClient(["tax:read"]);
    const tok = await form("/v1/oauth/token", {
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
    const denied = await api("/v1/users/me/export", { token: tok.body.access_token });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: "forbidden", detail: "Missing scope accounts:read." });
    const create = await api("/v1/auth/clients", {
      method: "POST",
      token: tok.body.access_token,
      json: { name: "x", scopes: ["tax:read"] },
    });
    expect(create.status).toBe(403);
    // Reading whose token it is needs no scope.
    expect((await api("/v1/users/me", { token: tok.body.access_token })).status).toBe(200);
  });

  it("a revoked client can no longer obtain tokens", async () => {
    const { owner, client } = await newClient();
    expect((await api(`/v1/auth/clients/${client.client_id}`, { method: "DELETE", token: owner.access_token })).status).toBe(204);
    expect((await api(`/v1/auth/clients/${client.client_id}`, { method: "DELETE", token: owner.access_token })).status).toBe(404);
    const res = await form("/v1/oauth/token", {
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
    expect(res.body.error).toBe("invalid_client");
    // Someone else's client is not found either.
    const other = await newClient();
    expect((await api(`/v1/auth/clients/${other.client.client_id}`, { method: "DELETE", token: owner.access_token })).status).toBe(404);
  });

  it("supports grant_type=refresh_token with rotation and reuse detection (invalid_grant)", async () => {
    const session = await register();
    const res = await form("/v1/oauth/token", { grant_type: "refresh_token", refresh_token: session.refresh_token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 900, refresh_token: expect.stringMatching(/^eft_rt_/) });
    const narrowed = await form("/v1/oauth/token", {
      grant_type: "refresh_token",
      refresh_token: res.body.refresh_token,
      scope: "tax:read",
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe("tax:read");
    const reuse = await form("/v1/oauth/token", { grant_type: "refresh_token", refresh_token: session.refresh_token });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe("invalid_grant");
    expect((await form("/v1/oauth/token", { grant_type: "refresh_token", refresh_token: narrowed.body.refresh_token })).body.error).toBe(
      "invalid_grant",
    );
    expect((await form("/v1/oauth/token", { grant_type: "refresh_token" })).body.error).toBe("invalid_request");
  });
});

describe("published keys and metadata", () => {
  it("publishes only public keys, with kid, alg and use", async () => {
    const res = await api("/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.body.keys).toEqual([{ kty: "OKP", crv: "Ed25519", x: expect.any(String), kid: "test-key", alg: "EdDSA", use: "sig" }]);
    expect(res.text).not.toContain('"d"');
  });

  it("publishes RFC 8414 metadata whose issuer is the configured origin", async () => {
    const res = await api("/.well-known/oauth-authorization-server");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issuer: ORIGIN,
      token_endpoint: `${ORIGIN}/v1/oauth/token`,
      jwks_uri: `${ORIGIN}/.well-known/jwks.json`,
      grant_types_supported: ["client_credentials", "refresh_token"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      scopes_supported: [...SCOPES],
    });
  });
});

describe("the gateway refuses forged and stale tokens with 401", () => {
  const me = (token: string) => api("/v1/users/me", { token });
  const claims = (sub: string) => ({ scope: SCOPES.join(" "), role: "admin" });

  it("accepts the genuine token (control)", async () => {
    const s = await register();
    expect((await me(s.access_token)).status).toBe(200);
  });

  it("tampered payload", async () => {
    const s = await register();
    const [h, p, sig] = s.access_token.split(".");
    const payload = JSON.parse(atob(p.replace(/-/g, "+").replace(/_/g, "/")));
    payload.role = "admin";
    const forged = [h, btoa(JSON.stringify(payload)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""), sig].join(".");
    const res = await me(forged);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("unauthorized");
  });

  it("a foreign key with the same kid", async () => {
    const s = await register();
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const forged = await new SignJWT(claims(s.user.id))
      .setProtectedHeader({ alg: "EdDSA", kid: "test-key" })
      .setIssuer(ORIGIN)
      .setAudience("edge-finance-api")
      .setSubject(s.user.id)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
    expect((await me(forged)).status).toBe(401);
  });

  it("HS256 signed with the public key's bytes", async () => {
    const s = await register();
    const pub = (await api("/.well-known/jwks.json")).body.keys[0];
    const b64 = (b: Uint8Array | string) =>
      btoa(typeof b === "string" ? b : String.fromCharCode(...b))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, "");
    const now = Math.floor(Date.now() / 1000);
    const header = b64(JSON.stringify({ alg: "HS256", kid: "test-key", typ: "JWT" }));
    const body = b64(
      JSON.stringify({
        ...claims(s.user.id),
        sub: s.user.id,
        iss: ORIGIN,
        aud: "edge-finance-api",
        iat: now,
        exp: now + 300,
        jti: crypto.randomUUID(),
      }),
    );
    for (const secret of [JSON.stringify(pub), pub.x, atob(pub.x.replace(/-/g, "+").replace(/_/g, "/"))]) {
      const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
      ]);
      const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${header}.${body}`)));
      expect((await me(`${header}.${body}.${b64(sig)}`)).status).toBe(401);
    }
  });

  it("alg none", async () => {
    const s = await register();
    const b64 = (x: string) => btoa(x).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64(JSON.stringify({ sub: s.user.id, iss: ORIGIN, aud: "edge-finance-api", iat: now, exp: now + 300, jti: "x", scope: SCOPES.join(" ") }))}.`;
    expect((await me(token)).status).toBe(401);
  });

  it("expired, wrong issuer, wrong audience (signed with the real key)", async () => {
    const s = await register();
    const { kid, key } = await signingKey();
    const make = (iss: string, aud: string, exp: number) =>
      new SignJWT(claims(s.user.id))
        .setProtectedHeader({ alg: "EdDSA", kid })
        .setIssuer(iss)
        .setAudience(aud)
        .setSubject(s.user.id)
        .setJti(crypto.randomUUID())
        .setIssuedAt(exp - 900)
        .setExpirationTime(exp)
        .sign(key);
    const now = Math.floor(Date.now() / 1000);
    expect((await me(await make(ORIGIN, "edge-finance-api", now + 300))).status).toBe(200); // control
    expect((await me(await make(ORIGIN, "edge-finance-api", now - 120))).status).toBe(401);
    expect((await me(await make("https://evil.example", "edge-finance-api", now + 300))).status).toBe(401);
    expect((await me(await make(ORIGIN, "another-api", now + 300))).status).toBe(401);
  });
  it("a token verified once is refused the moment it expires (the gateway's reuse of a verified token ends at exp)", async () => {
    const s = await register();
    const { kid, key } = await signingKey();
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await new SignJWT(claims(s.user.id))
      .setProtectedHeader({ alg: "EdDSA", kid })
      .setIssuer(ORIGIN)
      .setAudience("edge-finance-api")
      .setSubject(s.user.id)
      .setJti(crypto.randomUUID())
      .setIssuedAt(exp - 900)
      .setExpirationTime(exp)
      .sign(key);
    expect((await me(token)).status).toBe(200);
    expect((await me(token)).status).toBe(200); // reused
    while (Date.now() <= exp * 1000) await new Promise((r) => setTimeout(r, 100));
    expect((await me(token)).status).toBe(401);
  });
});

describe("scopes declared on routes", () => {
  it("requireScope: 401 without identity, 403 without the scope, 200 with it; admin routes refuse API clients", async () => {
    const app = createDomainApp("scope-test");
    app.openapi(
      defineRoute({
        method: "get",
        path: "/needs-accounts",
        scope: "accounts:read",
        responses: { 200: jsonResponse(z.object({ ok: z.boolean() }), "ok") },
      }),
      (c) => c.json({ ok: true }, 200),
    );
    app.openapi(
      defineRoute({
        method: "get",
        path: "/needs-admin",
        scope: "admin",
        responses: { 200: jsonResponse(z.object({ ok: z.boolean() }), "ok") },
      }),
      (c) => c.json({ ok: true }, 200),
    );
    app.openapi(
      defineRoute({
        method: "get",
        path: "/any",
        scope: "authenticated",
        responses: { 200: jsonResponse(z.object({ ok: z.boolean() }), "ok") },
      }),
      (c) => c.json({ ok: true }, 200),
    );
    const call = (path: string, identity?: object) =>
      app.request(path, { headers: identity ? { "x-ef-identity": JSON.stringify(identity) } : {} });
    const taxClient = { sub: "usr_x", role: "user", scopes: ["tax:read"], client_id: "cli_x" };
    expect((await call("/needs-accounts")).status).toBe(401);
    expect((await call("/needs-accounts", taxClient)).status).toBe(403);
    expect((await call("/needs-accounts", { ...taxClient, scopes: ["accounts:read"] })).status).toBe(200);
    expect((await call("/any", taxClient)).status).toBe(200);
    expect((await call("/any")).status).toBe(401);
    expect((await call("/needs-admin", { sub: "usr_a", role: "admin", scopes: [] })).status).toBe(200);
    expect((await call("/needs-admin", { sub: "usr_a", role: "admin", scopes: [], client_id: "cli_a" })).status).toBe(403);
    expect((await call("/needs-admin", { sub: "usr_b", role: "user", scopes: [...SCOPES] })).status).toBe(403);
    const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } }) as any;
    expect(doc.paths["/needs-accounts"].get.security).toEqual([{ bearer: ["accounts:read"] }]);
  });

  it("the merged OpenAPI document shows the auth and users routes with their security", async () => {
    const doc = (await api("/openapi.json")).body;
    for (const path of [
      "/v1/auth/register",
      "/v1/auth/login",
      "/v1/auth/refresh",
      "/v1/auth/logout",
      "/v1/auth/clients",
      "/v1/oauth/token",
      "/.well-known/jwks.json",
      "/.well-known/oauth-authorization-server",
      "/v1/users/me",
      "/v1/users/me/password",
      "/v1/users/me/export",
      "/v1/users/me/audit",
      "/v1/admin/users",
      "/v1/admin/users/{id}",
    ])
      expect(doc.paths[path], path).toBeDefined();
    expect(doc.paths["/v1/users/me/export"].get.security).toEqual([{ bearer: ["accounts:read"] }]);
    expect(doc.paths["/v1/auth/login"].post.security).toBeUndefined();
    expect(Object.keys(doc.paths["/v1/oauth/token"].post.requestBody.content)).toEqual(["application/x-www-form-urlencoded"]);
  });
});

describe("secrets never leak", () => {
  it("no password, hash, salt, refresh token or client secret in responses or logs", async () => {
    const s = await register();
    const client = await api("/v1/auth/clients", { method: "POST", token: s.access_token, json: { name: "x", scopes: ["tax:read"] } });
    await api("/v1/auth/login", { method: "POST", json: { email: s.email, password: "a wrong password!" } });
    await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: s.refresh_token } });
    await api("/v1/auth/refresh", { method: "POST", json: { refresh_token: s.refresh_token } }); // reuse → 401, logged
    await form("/v1/oauth/token", {
      grant_type: "client_credentials",
      client_id: client.body.client_id,
      client_secret: client.body.client_secret + "x",
    });
    const hash = (await env.DB.prepare("select password_hash from users where id = ?").bind(s.user.id).first<{ password_hash: string }>())!
      .password_hash;
    const salt = hash.split("$")[4];
    const exported = await api("/v1/users/me/export", {
      token: (await api("/v1/auth/login", { method: "POST", json: { email: s.email, password: PASSWORD } })).body.access_token,
    });
    const everything = [logs.join("\n"), exported.text].join("\n");
    for (const secret of [PASSWORD, "a wrong password!", hash, salt, s.refresh_token, client.body.client_secret])
      expect(everything).not.toContain(secret);
    expect(exported.text).not.toMatch(/token_hash|secret_hash|password_hash/);
  });
});
