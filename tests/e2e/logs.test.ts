// Logs: one JSON line per request and worker, the request id the same on every hop, and no password,
// token or secret anywhere in what the stack prints. This file runs a stack of its own with every
// request logged (LOG_SAMPLE_RATE=1 at the gateway, whose decision the other workers follow) and
// captures its whole output.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script
import { freePort } from "../../scripts/ops/platform.mjs";
// @ts-expect-error plain ESM script shared with `npm run dev`
import { startStack } from "../../scripts/stack.mjs";

let stack: { origin: string; child: import("node:child_process").ChildProcess; stop(): void };
let output = "";
const state = mkdtempSync(path.join(tmpdir(), "ef-logs-"));

beforeAll(async () => {
  stack = await startStack({ port: await freePort(), persistTo: state, stdio: ["ignore", "pipe", "pipe"], vars: { LOG_SAMPLE_RATE: "1" } });
  for (const s of [stack.child.stdout, stack.child.stderr]) s?.on("data", (d: Buffer) => (output += d.toString()));
}, 180_000);
afterAll(async () => {
  const exited = new Promise((r) => stack.child.once("exit", r));
  stack.stop();
  await exited;
  rmSync(state, { recursive: true, force: true });
});

async function json(
  p: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string>; form?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(init.form).toString();
  } else if (init.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(init.body);
  }
  const res = await fetch(stack.origin + p, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
  // biome-ignore lint/suspicious/noExplicitAny: answers of several shapes, read field by field
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
}

/** The JSON lines of the captured output (wrangler prefixes and colours stripped). */
function logLines(): Record<string, unknown>[] {
  return output
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .flatMap((l) => {
      const at = l.indexOf('{"ts"');
      if (at < 0) return [];
      try {
        return [JSON.parse(l.slice(at))];
      } catch {
        return [];
      }
    });
}

describe("logs", () => {
  it("never print a password, token or client secret, on success or failure", async () => {
    const email = `logs-${crypto.randomUUID()}@logs.test`;
    const password = `never-logged-${crypto.randomUUID()}`;
    const secrets: string[] = [password];
    const reg = await json("/v1/auth/register", { body: { email, password, name: "Logs" } });
    expect(reg.status).toBe(201);
    secrets.push(reg.body.access_token, reg.body.refresh_token);
    const login = await json("/v1/auth/login", { body: { email, password } });
    expect(login.status).toBe(200);
    secrets.push(login.body.access_token, login.body.refresh_token);
    const wrong = `wrong-${crypto.randomUUID()}`;
    expect((await json("/v1/auth/login", { body: { email, password: wrong } })).status).toBe(401);
    secrets.push(wrong);
    const refreshed = await json("/v1/auth/refresh", { body: { refresh_token: login.body.refresh_token } });
    expect(refreshed.status).toBe(200);
    secrets.push(refreshed.body.access_token, refreshed.body.refresh_token);
    // A reused refresh token is refused (and logged as a 401) without its value.
    expect((await json("/v1/auth/refresh", { body: { refresh_token: login.body.refresh_token } })).status).toBe(401);
    const client = await json("/v1/auth/clients", { token: refreshed.body.access_token, body: { name: "Tool", scopes: ["tax:read"] } });
    expect(client.status).toBe(201);
    secrets.push(client.body.client_secret);
    const oauth = await json("/v1/oauth/token", {
      form: {
        grant_type: "client_credentials",
        client_id: client.body.client_id,
        client_secret: client.body.client_secret,
        scope: "tax:read",
      },
    });
    expect(oauth.status).toBe(200);
    secrets.push(oauth.body.access_token);
    const newPassword = `also-never-logged-${crypto.randomUUID()}`;
    const changed = await json("/v1/users/me/password", {
      token: refreshed.body.access_token,
      body: { current_password: password, new_password: newPassword },
    });
    expect([200, 204]).toContain(changed.status);
    secrets.push(newPassword);
    // A bad bearer is logged as a 401, never echoed.
    const forged = `${refreshed.body.access_token.slice(0, -4)}AAAA`;
    expect((await json("/v1/users/me", { token: forged })).status).toBe(401);
    secrets.push(forged);

    await new Promise((r) => setTimeout(r, 1000)); // the last lines reach wrangler's output
    expect(logLines().length).toBeGreaterThan(10);
    for (const s of secrets) {
      expect(typeof s).toBe("string");
      expect(s.length).toBeGreaterThan(10);
      // The whole value, and its longest distinctive part (a JWT's signature), are both absent.
      expect(output.includes(s), `a secret appears in the logs: ${s.slice(0, 12)}…`).toBe(false);
      const tail = s.split(".").pop()!;
      if (tail.length >= 16) expect(output.includes(tail)).toBe(false);
    }
  });

  it("print one JSON line per request and worker, with the same request id on every hop", async () => {
    const reg = await json("/v1/auth/register", {
      body: { email: `hop-${crypto.randomUUID()}@logs.test`, password: `pw-${crypto.randomUUID()}`, name: "Hop" },
    });
    const token = reg.body.access_token as string;
    const rid = `req-hop-${crypto.randomUUID()}`;
    const acc = await json("/v1/accounts", {
      token,
      body: { name: "M", type: "checking", currency: "EUR" },
      headers: { "x-request-id": rid },
    });
    expect(acc.status).toBe(201);
    const rid2 = `req-hop-${crypto.randomUUID()}`;
    const tx = await json(`/v1/accounts/${acc.body.id}/transactions`, {
      token,
      body: { amount: 100, description: "coffee" },
      headers: { "x-request-id": rid2 },
    });
    expect(tx.status).toBe(201);
    await new Promise((r) => setTimeout(r, 1000));
    const lines = logLines();
    for (const [id, worker] of [
      [rid, "finance"],
      [rid2, "transactions"],
    ]) {
      const mine = lines.filter((l) => l.request_id === id && l.route !== undefined);
      expect(mine.map((l) => l.worker).sort()).toEqual(["gateway", worker].sort());
      for (const l of mine) expect(l).toMatchObject({ level: "info", status: 201, method: "POST" });
    }
  });
});
