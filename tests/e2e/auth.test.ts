// Auth and users over real HTTP against the multi-worker `wrangler dev`: tokens are verified with jose
// against the served JWKS, forged tokens are refused by the gateway, and the OAuth endpoints behave as a
// standard client expects.
import { readFileSync } from "node:fs";
import path from "node:path";
import { SignJWT, createRemoteJWKSet, decodeJwt, generateKeyPair, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { adminCreate, call, expectProblem, origin } from "./helpers";

const ROOT = path.resolve(__dirname, "../..");
const PASSWORD = "an e2e passphrase that is long";
const SCOPES = "accounts:read accounts:write transactions:read transactions:write payments:write tax:read ai:read";
let n = 0;
const uniqueEmail = () => `e2e-${Date.now().toString(36)}-${n++}@example.net`;

async function register(email = uniqueEmail()) {
  const res = await call("/v1/auth/register", { method: "POST", json: { email, password: PASSWORD, name: "E2E" } });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${res.text}`);
  return { ...res.body, email } as { user: { id: string }; access_token: string; refresh_token: string; email: string };
}
const login = (email: string, password = PASSWORD) => call("/v1/auth/login", { method: "POST", json: { email, password } });
const form = (p: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  call(p, {
    method: "POST",
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });
const b64url = (s: string | Uint8Array) => Buffer.from(typeof s === "string" ? Buffer.from(s) : s).toString("base64url");

/**
 * The issuer the stack is configured with (ISSUER). global-setup asks for the e2e origin with `--var`, but
 * multi-config `wrangler dev` keeps each config's [vars] (http://127.0.0.1:8787), so read it from discovery,
 * exactly as an OAuth client would.
 */
let issuerCache: string | undefined;
async function issuer() {
  issuerCache ??= (await call("/.well-known/oauth-authorization-server")).body.issuer as string;
  return issuerCache;
}

/** The dev signing key the stack uses (made by scripts/stack.mjs into the git-ignored .dev.vars). */
async function devKey() {
  const text = readFileSync(path.join(ROOT, "workers/auth/.dev.vars"), "utf8");
  const [jwk] = JSON.parse(/JWT_SIGNING_KEYS='(.*)'/.exec(text)![1]);
  return { kid: jwk.kid as string, key: await importJWK(jwk, "EdDSA") };
}

describe("auth over real HTTP", () => {
  it("publishes discovery metadata and a JWKS that verifies issued tokens (jose createRemoteJWKSet)", async () => {
    const meta = await call("/.well-known/oauth-authorization-server");
    expect(meta.status).toBe(200);
    expect([origin(), "http://127.0.0.1:8787"]).toContain(meta.body.issuer);
    expect(meta.body.token_endpoint).toBe(`${meta.body.issuer}/v1/oauth/token`);
    expect(meta.body.jwks_uri).toBe(`${meta.body.issuer}/.well-known/jwks.json`);
    expect(meta.body.grant_types_supported).toEqual(["client_credentials", "refresh_token"]);
    expect(meta.body.token_endpoint_auth_methods_supported).toEqual(["client_secret_basic", "client_secret_post"]);

    const s = await register();
    // Fetch the keys from this stack's origin (the issuer may name the default dev port).
    const JWKS = createRemoteJWKSet(new URL("/.well-known/jwks.json", origin()));
    const { payload, protectedHeader } = await jwtVerify(s.access_token, JWKS, {
      issuer: meta.body.issuer,
      audience: "edge-finance-api",
      algorithms: ["EdDSA", "ES256"],
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({ sub: s.user.id, role: "user", scope: SCOPES });
    for (const claim of ["iss", "aud", "sub", "exp", "iat", "jti", "scope", "role"]) expect(payload).toHaveProperty(claim);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(15 * 60);
    const jwks = await call("/.well-known/jwks.json");
    expect(jwks.text).not.toMatch(/"d"\s*:/);
  });

  it("register → login → me; duplicates 409; weak passwords 422; same 401 for unknown email and wrong password", async () => {
    const s = await register();
    expectProblem(
      await call("/v1/auth/register", { method: "POST", json: { email: s.email.toUpperCase(), password: PASSWORD, name: "Dup" } }),
      409,
      "conflict",
    );
    expectProblem(
      await call("/v1/auth/register", { method: "POST", json: { email: uniqueEmail(), password: "password123", name: "Weak" } }),
      422,
      "validation_failed",
    );
    const ok = await login(s.email.toUpperCase());
    expect(ok.status).toBe(200);
    const me = await call("/v1/users/me", { token: ok.body.access_token });
    expect(me.body).toMatchObject({ id: s.user.id, email: s.email, role: "user", status: "active" });
    const wrong = expectProblem(await login(s.email, "not the password!"), 401, "unauthorized");
    const unknown = expectProblem(await login(uniqueEmail(), "not the password!"), 401, "unauthorized");
    expect({ ...wrong, request_id: 0 }).toEqual({ ...unknown, request_id: 0 });
  });

  describe("the gateway answers 401 to forged tokens on GET /v1/users/me", () => {
    const me = (token: string) => call("/v1/users/me", { token });
    const now = () => Math.floor(Date.now() / 1000);
    /** An access token's claims for `sub` as the auth worker writes them, with `over` replacing some. */
    const claims = async (sub: string, over: Record<string, unknown> = {}) => ({
      sub,
      iss: await issuer(),
      aud: "edge-finance-api",
      iat: now(),
      exp: now() + 300,
      jti: crypto.randomUUID(),
      scope: SCOPES,
      role: "user",
      ...over,
    });

    it("tampered payload", async () => {
      const s = await register();
      const [h, p, sig] = s.access_token.split(".");
      const payload = JSON.parse(Buffer.from(p, "base64url").toString());
      expectProblem(await me([h, b64url(JSON.stringify({ ...payload, role: "admin" })), sig].join(".")), 401, "unauthorized");
      expectProblem(await me([h, b64url(JSON.stringify({ ...payload, sub: "usr_someoneelse" })), sig].join(".")), 401, "unauthorized");
      expect((await me(s.access_token)).status).toBe(200);
    });

    it("a foreign key with the same kid", async () => {
      const s = await register();
      const { kid } = await devKey();
      const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
      const token = await new SignJWT(await claims(s.user.id)).setProtectedHeader({ alg: "EdDSA", kid }).sign(privateKey);
      expectProblem(await me(token), 401, "unauthorized");
    });

    it("HS256 signed with the public key's bytes", async () => {
      const s = await register();
      const pub = (await call("/.well-known/jwks.json")).body.keys[0];
      const header = b64url(JSON.stringify({ alg: "HS256", kid: pub.kid, typ: "JWT" }));
      const body = b64url(JSON.stringify(await claims(s.user.id)));
      for (const secret of [Buffer.from(JSON.stringify(pub)), Buffer.from(pub.x), Buffer.from(pub.x, "base64url")]) {
        const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
        const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, Buffer.from(`${header}.${body}`)));
        expectProblem(await me(`${header}.${body}.${b64url(sig)}`), 401, "unauthorized");
      }
    });

    it("alg none", async () => {
      const s = await register();
      const payload = b64url(JSON.stringify(await claims(s.user.id, { jti: "x", role: "admin" })));
      for (const alg of ["none", "None", "NONE"])
        expectProblem(await me(`${b64url(JSON.stringify({ alg, typ: "JWT" }))}.${payload}.`), 401, "unauthorized");
    });

    it("expired, wrong issuer, wrong audience — even with the real key", async () => {
      const s = await register();
      const { kid, key } = await devKey();
      const make = async (iss: string, aud: string, exp: number) =>
        new SignJWT(await claims(s.user.id, { iss, aud, iat: exp - 900, exp })).setProtectedHeader({ alg: "EdDSA", kid }).sign(key);
      const iss = await issuer();
      expect((await me(await make(iss, "edge-finance-api", now() + 300))).status).toBe(200); // control
      expectProblem(await me(await make(iss, "edge-finance-api", now() - 120)), 401, "unauthorized");
      expectProblem(await me(await make("https://attacker.example", "edge-finance-api", now() + 300)), 401, "unauthorized");
      expectProblem(await me(await make(iss, "some-other-api", now() + 300)), 401, "unauthorized");
    });
  });

  it("refresh tokens rotate; presenting a used one answers 401 and revokes the family", async () => {
    const s = await register();
    const r1 = await call("/v1/auth/refresh", { method: "POST", json: { refresh_token: s.refresh_token } });
    expect(r1.status).toBe(200);
    const r2 = await call("/v1/auth/refresh", { method: "POST", json: { refresh_token: r1.body.refresh_token } });
    expect(r2.status).toBe(200);
    expectProblem(await call("/v1/auth/refresh", { method: "POST", json: { refresh_token: s.refresh_token } }), 401, "unauthorized");
    expectProblem(await call("/v1/auth/refresh", { method: "POST", json: { refresh_token: r2.body.refresh_token } }), 401, "unauthorized");
    const audit = await call("/v1/users/me/audit", { token: r2.body.access_token });
    expect(audit.body.data.map((e: { type: string }) => e.type)).toContain("refresh_reuse");
    // logout
    const fresh = await login(s.email);
    expect((await call("/v1/auth/logout", { method: "POST", json: { refresh_token: fresh.body.refresh_token } })).status).toBe(204);
    expectProblem(
      await call("/v1/auth/refresh", { method: "POST", json: { refresh_token: fresh.body.refresh_token } }),
      401,
      "unauthorized",
    );
  });

  it("client credentials: basic with form-urlencoded id and secret, post, refresh_token grant, RFC 6749 errors, scope denial", async () => {
    const s = await register();
    const created = await call("/v1/auth/clients", {
      method: "POST",
      token: s.access_token,
      json: { name: "Tax tool", scopes: ["tax:read"] },
    });
    expect(created.status).toBe(201);
    const { client_id, client_secret } = created.body;
    // RFC 6749 §2.3.1: each part is form-urlencoded before base64; a conformant client may escape every character.
    const escapeAll = (v: string) => [...Buffer.from(v)].map((b) => "%" + b.toString(16).padStart(2, "0")).join("");
    const basicAll = "Basic " + Buffer.from(`${escapeAll(client_id)}:${escapeAll(client_secret)}`).toString("base64");
    const tok = await form("/v1/oauth/token", { grant_type: "client_credentials" }, { authorization: basicAll });
    expect(tok.status, tok.text).toBe(200);
    expect(tok.body).toMatchObject({ token_type: "Bearer", scope: "tax:read", expires_in: 900 });
    const JWKS = createRemoteJWKSet(new URL("/.well-known/jwks.json", origin()));
    const { payload } = await jwtVerify(tok.body.access_token, JWKS, { issuer: await issuer(), audience: "edge-finance-api" });
    expect(payload).toMatchObject({ sub: s.user.id, client_id, scope: "tax:read" });

    const post = await form("/v1/oauth/token", { grant_type: "client_credentials", client_id, client_secret, scope: "tax:read" });
    expect(post.status).toBe(200);

    const bad = await form(
      "/v1/oauth/token",
      { grant_type: "client_credentials" },
      { authorization: "Basic " + Buffer.from(`${client_id}:wrong`).toString("base64") },
    );
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe("invalid_client");
    expect(bad.headers.get("www-authenticate")).toMatch(/^Basic/);
    expect(
      (await form("/v1/oauth/token", { grant_type: "client_credentials", client_id, client_secret, scope: "accounts:read" })).body.error,
    ).toBe("invalid_scope");
    expect((await form("/v1/oauth/token", { grant_type: "authorization_code", client_id, client_secret })).body.error).toBe(
      "unsupported_grant_type",
    );

    // A tax:read client lacks accounts:read, which the export route declares: 403.
    const denied = expectProblem(await call("/v1/users/me/export", { token: tok.body.access_token }), 403, "forbidden");
    expect(denied.detail).toContain("accounts:read");

    // refresh_token grant: rotation, then reuse → invalid_grant.
    const rt = await form("/v1/oauth/token", { grant_type: "refresh_token", refresh_token: s.refresh_token });
    expect(rt.status).toBe(200);
    expect(decodeJwt(rt.body.access_token).sub).toBe(s.user.id);
    const reuse = await form("/v1/oauth/token", { grant_type: "refresh_token", refresh_token: s.refresh_token });
    expect(reuse.status).toBe(400);
    expect(reuse.body).toEqual({ error: "invalid_grant", error_description: expect.any(String) });
  });

  it("throttles failed logins per email with 429 and Retry-After", async () => {
    const s = await register();
    for (let i = 0; i < 5; i++) expectProblem(await login(s.email, `wrong password ${i}`), 401, "unauthorized");
    const locked = expectProblem(await login(s.email), 429, "rate_limited");
    expect(locked.status).toBe(429);
    const res = await login(s.email);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("users: profile update, password change, audit, export, deletion", async () => {
    const s = await register();
    const patched = await call("/v1/users/me", {
      method: "PATCH",
      token: s.access_token,
      json: { name: "Renamed", timezone: "Europe/Berlin" },
    });
    expect(patched.body).toMatchObject({ name: "Renamed", timezone: "Europe/Berlin" });
    expectProblem(
      await call("/v1/users/me", { method: "PATCH", token: s.access_token, json: { role: "admin" } }),
      422,
      "validation_failed",
    );

    expect(
      (
        await call("/v1/users/me/password", {
          method: "POST",
          token: s.access_token,
          json: { current_password: PASSWORD, new_password: "a brand new passphrase" },
        })
      ).status,
    ).toBe(204);
    expectProblem(await call("/v1/auth/refresh", { method: "POST", json: { refresh_token: s.refresh_token } }), 401, "unauthorized");
    const relog = await login(s.email, "a brand new passphrase");
    expect(relog.status).toBe(200);

    const audit = await call("/v1/users/me/audit?limit=2", { token: relog.body.access_token });
    expect(audit.body.data.map((e: { type: string }) => e.type)).toEqual(["login", "password_change"]);
    expect(audit.body.data[0]).toMatchObject({ ip: expect.any(String), request_id: expect.any(String) });
    expect(audit.body.next_cursor).toEqual(expect.any(String));

    const exported = await call("/v1/users/me/export", { token: relog.body.access_token });
    expect(exported.body.user.email).toBe(s.email);
    expect(exported.text).not.toMatch(/scrypt\$|a brand new passphrase|eft_rt_|eft_cs_/);

    expect((await call("/v1/users/me", { method: "DELETE", token: relog.body.access_token })).status).toBe(204);
    expectProblem(await call("/v1/users/me", { token: relog.body.access_token }), 401, "unauthorized");
    expectProblem(await login(s.email, "a brand new passphrase"), 401, "unauthorized");
  });

  it("admin:create promotes the first admin; suspension makes the user's tokens 403 at the gateway", async () => {
    const a = await register();
    const u = await register();
    expect(adminCreate(a.email)).toContain("is now an administrator");
    expectProblem(await call("/v1/admin/users", { token: u.access_token }), 403, "forbidden");

    const admin = await login(a.email);
    expect(admin.body.user.role).toBe("admin");
    expect(decodeJwt(admin.body.access_token).role).toBe("admin");
    const list = await call("/v1/admin/users?limit=100", { token: admin.body.access_token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([a.user.id, u.user.id]));

    const suspended = await call(`/v1/admin/users/${u.user.id}`, {
      method: "PATCH",
      token: admin.body.access_token,
      json: { status: "suspended" },
    });
    expect(suspended.body.status).toBe("suspended");
    expectProblem(await call("/v1/users/me", { token: u.access_token }), 403, "forbidden");
    expectProblem(await call("/v1/auth/refresh", { method: "POST", json: { refresh_token: u.refresh_token } }), 401, "unauthorized");
    expectProblem(await login(u.email), 403, "forbidden");
  });
});
