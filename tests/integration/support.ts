// Shared by the integration tests: users with signed tokens, accounts, and calls through the gateway.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { SignJWT, importJWK } from "jose";
import { expect } from "vitest";
import { IDENTITY_HEADER, SCOPES, ledgerStub, newId, parseServerTiming } from "#core";
import { auditLedger } from "../../workers/transactions/src/ledger/audit";

export const ORIGIN = "http://127.0.0.1:8787";
const gateway = () => (exports as unknown as { default: Fetcher }).default;

/** A user row plus an access token signed with the test key, as the auth worker would issue it. */
export async function createUser(
  opts: { scopes?: readonly string[]; role?: "user" | "admin"; email?: string; base_currency?: string } = {},
) {
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

export type CallInit = RequestInit & {
  token?: string;
  json?: unknown;
  idempotencyKey?: string;
  /** The client address the gateway sees (cf-connecting-ip), unless the headers name one. */
  ip?: string;
};
export type Answer = { status: number; headers: Headers; body: any; text: string };

/** One request to `target` (the gateway, or a domain worker's entrypoint); the body parsed when it is JSON. */
export async function request(target: Fetcher, path: string, init: CallInit = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  if (init.idempotencyKey) headers.set("idempotency-key", init.idempotencyKey);
  if (init.ip && !headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", init.ip);
  const res = await target.fetch(ORIGIN + path, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body, text };
}

/** One request through the gateway, as a client makes it. */
export const api = (path: string, init: CallInit = {}) => request(gateway(), path, init);

/** Asserts an RFC 9457 problem with this status and code (and its request id), and returns its body. */
export function expectProblem(res: Answer, status: number, code: string) {
  expect({ status: res.status, code: res.body?.code }, res.text.slice(0, 500)).toEqual({ status, code });
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status, code, request_id: res.headers.get("x-request-id") });
  return res.body as { detail: string; errors?: { path: string; message: string }[] };
}

/** An account row and its opened ledger object, without going through the finance worker. */
export async function createAccount(userId: string, opts: { currency?: string; overdraft_limit?: number | null } = {}) {
  const id = newId("acc");
  const currency = opts.currency ?? "EUR";
  const limit = opts.overdraft_limit === undefined ? 0 : opts.overdraft_limit;
  const created_at = new Date().toISOString();
  await env.DB.prepare(
    "INSERT INTO accounts (id, user_id, name, type, currency, overdraft_limit, status, created_at) VALUES (?, ?, 'Test', 'checking', ?, ?, 'open', ?)",
  )
    .bind(id, userId, currency, limit, created_at)
    .run();
  await ledgerStub(env.LEDGER as DurableObjectNamespace, id).open({ id, user_id: userId, currency, overdraft_limit: limit, created_at });
  return id;
}

/** D1 statements and Durable Object calls an answer's Server-Timing header reports (absent = 0). */
export function timingCounts(headers: Headers) {
  const entries = parseServerTiming(headers.get("server-timing"));
  const count = (name: string) => Number(entries.find((e) => e.name === name)?.desc ?? 0);
  return { d1: count("d1"), do: count("do") };
}

/** Calls a domain worker's entrypoint directly, as the gateway does once it has verified the caller. */
export async function direct(
  worker: "TransactionsService" | "PaymentsService" | "FinanceService",
  user: string,
  path: string,
  init: { method?: string; json?: unknown; key?: string } = {},
) {
  const target = (exports as unknown as Record<string, Fetcher>)[worker]!;
  const headers = { [IDENTITY_HEADER]: JSON.stringify({ sub: user, role: "user", scopes: SCOPES }) };
  const res = await request(target, path, { method: init.method ?? "GET", json: init.json, idempotencyKey: init.key, headers });
  return { status: res.status, body: res.body, timing: timingCounts(res.headers) };
}

/** The ledger check (as `npm run ledger:check` runs it) over these accounts, or every account in D1, and their projection. */
export async function auditAccounts(ids?: string[]) {
  const all = ids ?? (await env.DB.prepare("SELECT id FROM accounts").all<{ id: string }>()).results.map((r) => r.id);
  const snapshots = await Promise.all(all.map((id) => ledgerStub(env.LEDGER as DurableObjectNamespace, id).snapshot()));
  const projection = ids
    ? (
        await env.DB.prepare(`SELECT * FROM entries WHERE account_id IN (${ids.map(() => "?").join(",")})`)
          .bind(...ids)
          .all()
      ).results
    : (await env.DB.prepare("SELECT * FROM entries").all()).results;
  return auditLedger(snapshots, projection);
}

/**
 * Resolves once these accounts' objects hold nothing unprojected: cross-account views (payments, the
 * ai worker's reads) read D1, which an answered write reaches a moment later, as a client would wait.
 */
export async function projected(...ids: string[]) {
  for (let i = 0; i < 100; i++) {
    const snapshots = await Promise.all(ids.map((id) => ledgerStub(env.LEDGER as DurableObjectNamespace, id).snapshot()));
    if (snapshots.every((s) => s.outbox === 0)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the projection of ${ids.join(", ")} did not catch up`);
}

/** Two users with one EUR account each, made outside the API: a payer (`a`, account `src`) and a payee (`b`, account `dst`). */
export async function payerAndPayee() {
  const a = await createUser();
  const b = await createUser();
  return { a, b, src: await createAccount(a.id), dst: await createAccount(b.id) };
}

/** POST /v1/payments through the gateway with a fresh Idempotency-Key. */
export const pay = (token: string, json: unknown) =>
  api("/v1/payments", { method: "POST", token, idempotencyKey: crypto.randomUUID(), json });

/** POST /v1/accounts/{account}/transactions through the gateway; `init` adds headers (a Prefer, a key). */
export const record = (token: string, account: string, json: unknown, init: CallInit = {}) =>
  api(`/v1/accounts/${account}/transactions`, { ...init, method: "POST", token, json });

/** A new payment's or schedule's body from `src` to `dst`: in EUR unless `terms` say otherwise. */
export const between = (src: string, dst: string, terms: Record<string, unknown>) => ({
  source_account_id: src,
  destination_account_id: dst,
  currency: "EUR",
  ...terms,
});
