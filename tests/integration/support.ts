// Shared by the integration tests: users with signed tokens, accounts, and calls through the gateway.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { SignJWT, importJWK } from "jose";
import { SCOPES, ledgerStub, newId } from "../../workers/core/src";

export const ORIGIN = "http://127.0.0.1:8787";
const gateway = () => (exports as unknown as { default: Fetcher }).default;

/** A user row plus an access token signed with the test key, as the auth worker would issue it. */
export async function createUser(opts: { scopes?: readonly string[]; role?: "user" | "admin"; email?: string; base_currency?: string } = {}) {
  const id = newId("usr");
  const scopes = opts.scopes ?? SCOPES;
  await env.DB.prepare("INSERT INTO users (id, email, name, role, status, base_currency) VALUES (?, ?, ?, ?, 'active', ?)")
    .bind(id, opts.email ?? `${id}@test.local`, "Test User", opts.role ?? "user", opts.base_currency ?? "EUR")
    .run();
  const [jwk] = JSON.parse(env.JWT_SIGNING_KEYS) as (JsonWebKey & { kid: string })[];
  const key = await importJWK(jwk, "EdDSA");
  const token = await new SignJWT({ scope: scopes.join(" "), role: opts.role ?? "user" })
    .setProtectedHeader({ alg: "EdDSA", kid: jwk.kid })
    .setIssuer(ORIGIN)
    .setAudience("edge-finance-api")
    .setSubject(id)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(key);
  return { id, token, scopes };
}

export async function api(path: string, init: RequestInit & { token?: string; json?: unknown; idempotencyKey?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  if (init.idempotencyKey) headers.set("idempotency-key", init.idempotencyKey);
  const res = await gateway().fetch(ORIGIN + path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body };
}

/** An account row and its opened ledger object, without going through the finance worker. */
export async function createAccount(userId: string, opts: { currency?: string; overdraft_limit?: number | null } = {}) {
  const id = newId("acc");
  const currency = opts.currency ?? "EUR";
  const limit = opts.overdraft_limit === undefined ? 0 : opts.overdraft_limit;
  const created_at = new Date().toISOString();
  await env.DB.prepare("INSERT INTO accounts (id, user_id, name, type, currency, overdraft_limit, status, created_at) VALUES (?, ?, 'Test', 'checking', ?, ?, 'open', ?)")
    .bind(id, userId, currency, limit, created_at)
    .run();
  await ledgerStub(env.LEDGER as DurableObjectNamespace, id).open({ id, user_id: userId, currency, overdraft_limit: limit, created_at });
  return id;
}
