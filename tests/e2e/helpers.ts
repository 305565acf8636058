import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { inject } from "vitest";

export const origin = () => inject("origin");

export async function call(path: string, init: RequestInit & { json?: unknown; token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  const res = await fetch(origin() + path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  exchanges.push({
    method: init.method ?? "GET",
    url: origin() + path,
    requestHeaders: headers,
    requestBody: init.json !== undefined ? init.json : init.body,
    status: res.status,
    responseHeaders: res.headers,
    body,
    text,
  });
  return { status: res.status, headers: res.headers, body, text };
}

/** Asserts an RFC 9457 problem with the given status and code, and returns it. */
export function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, code: string) {
  if (res.status !== status || res.body?.code !== code)
    throw new Error(`expected ${status} ${code}, got ${res.status} ${res.text.slice(0, 300)}`);
  if (res.headers.get("content-type") !== "application/problem+json")
    throw new Error(`not problem+json: ${res.headers.get("content-type")}`);
  for (const k of ["type", "title", "status", "detail", "code", "request_id"]) if (!(k in res.body)) throw new Error(`problem lacks ${k}`);
  if (res.body.request_id !== res.headers.get("x-request-id")) throw new Error("request_id differs from X-Request-Id");
  return res.body;
}

/** A new user through the public API; returns its access token. */
export async function register(label = "user"): Promise<string> {
  const res = await call("/v1/auth/register", {
    method: "POST",
    json: { email: `${label}-${crypto.randomUUID()}@e2e.test`, password: "correct horse battery staple 42", name: label },
  });
  if (res.status !== 201 || typeof res.body?.access_token !== "string")
    throw new Error(`register failed: ${res.status} ${res.text.slice(0, 300)}`);
  return res.body.access_token;
}

/** One request made through call() and its answer. */
export type Exchange = {
  method: string;
  url: string;
  requestHeaders: Headers;
  requestBody: unknown;
  status: number;
  responseHeaders: Headers;
  body: any;
  text: string;
};

/** Every exchange made through call() in this test file; contract-setup.ts checks them against /openapi.json after each test. */
export const exchanges: Exchange[] = [];

const ROOT = path.resolve(import.meta.dirname, "../..");

/** `npm run admin:create -- EMAIL` on the stack's local state (throws when it fails); its output. */
export function adminCreate(email: string): string {
  const r = spawnSync(process.execPath, ["scripts/admin-create.mjs", email, "--persist-to", inject("persistTo")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`admin:create ${email} failed: ${r.stderr}`);
  return r.stdout;
}

/** `npm run ledger:check` over the stack's local state: its exit status and output. */
export function ledgerCheck() {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/ledger-check.ts", inject("persistTo")],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  return { status: r.status, output: r.stdout + r.stderr, stdout: r.stdout };
}

/** A CORS preflight from http://localhost:3000 for `method` with the given request headers. */
export const preflight = (path: string, method: string, headers: string) =>
  call(path, {
    method: "OPTIONS",
    headers: { Origin: "http://localhost:3000", "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers },
  });

/** POST /v1/accounts (an EUR checking account unless `json` says otherwise). */
export const openAccount = (token: string, json: Record<string, unknown> = {}) =>
  call("/v1/accounts", { method: "POST", token, json: { name: "Main", type: "checking", currency: "EUR", ...json } });

/** The lower-cased rows of every table of every SQLite file the stack keeps under v3/d1, v3/do or both. */
export function storedText(kind: "d1" | "do" | "" = ""): string {
  const root = path.join(inject("persistTo"), "v3", kind);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const f of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
      const p = path.join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.name.endsWith(".sqlite")) files.push(p);
    }
  };
  walk(root);
  let text = "";
  for (const file of files) {
    // The running stack may be writing this file: wait for its lock rather than fail on SQLITE_BUSY.
    const db = new DatabaseSync(file, { readOnly: true, timeout: 5_000 });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    for (const { name } of tables) {
      try {
        text += JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all());
      } catch {} // a table the runtime keeps to itself
    }
    db.close();
  }
  return text.toLowerCase();
}

/**
 * The body of POST /v1/scheduled-payments: `amount` EUR minor units from `source` to `destination`,
 * first at `startAt` (epoch ms), with any further terms (description, interval, max_occurrences…).
 */
export const scheduleBody = ({
  source,
  destination,
  amount,
  startAt,
  ...terms
}: { source: string; destination: string; amount: number; startAt: number } & Record<string, unknown>) => ({
  source_account_id: source,
  destination_account_id: destination,
  amount,
  currency: "EUR",
  start_at: new Date(startAt).toISOString(),
  ...terms,
});
