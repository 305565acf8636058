// The restore drill, end to end: a populated stack (users, accounts, transactions, payments and a
// scheduled payment, with Idempotency-Keys) is backed up while it runs (`npm run backup`),
// stopped, its state folder wiped, restored (`npm run restore`) and started again; everything people
// and the ledger check can see must be as it was. This file runs stacks of its own (not the suite's).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script shared with `npm run dev`
import { ROOT, startStack } from "../../scripts/stack.mjs";
// @ts-expect-error plain ESM script
import { freePort } from "../../scripts/ops/platform.mjs";

type Stack = { origin: string; child: import("node:child_process").ChildProcess; stop(): void };
const dirs: string[] = [];
let running: Stack | undefined;

async function start(persistTo: string): Promise<Stack> {
  running = await startStack({ port: await freePort(), persistTo, stdio: process.env.E2E_VERBOSE ? "inherit" : "ignore" });
  return running!;
}
async function stop(stack: Stack) {
  const exited = new Promise((r) => stack.child.once("exit", r));
  stack.stop();
  await exited;
  running = undefined;
}
afterAll(async () => {
  if (running) await stop(running);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(script: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, script), ...args], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** Like run(), without blocking this process: requests keep flowing while the script runs. */
function runAsync(script: string, ...args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, script), ...args], { cwd: ROOT });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (status) => resolve({ status, out }));
  });
}

function ledgerCheck(dir: string) {
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/ledger-check.ts", dir], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function req(
  origin: string,
  method: string,
  p: string,
  opts: { token?: string; json?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(origin + p, { method, headers, body: opts.json === undefined ? undefined : JSON.stringify(opts.json) });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: answers of many shapes, compared whole
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body };
}

const PASSWORD = "restore drill passphrase 42";

describe("backup and restore", () => {
  it("restores a running platform exactly: logins, balances, versions, hashes, transactions, payments, idempotency", async () => {
    const state = mkdtempSync(path.join(tmpdir(), "ef-backup-"));
    const backupFile = path.join(mkdtempSync(path.join(tmpdir(), "ef-backup-file-")), "drill.ndjson");
    dirs.push(state, path.dirname(backupFile));
    let stack = await start(state);
    const o = stack.origin;

    // ── populate ──
    const people = ["ada", "bob"].map((n) => ({ email: `${n}-${crypto.randomUUID()}@drill.test`, name: n }));
    const tokens: string[] = [];
    for (const p of people) {
      const r = await req(o, "POST", "/v1/auth/register", { json: { ...p, password: PASSWORD } });
      expect(r.status).toBe(201);
      tokens.push(r.body.access_token);
    }
    const [ada, bob] = tokens;
    const account = async (token: string, currency = "EUR") => {
      const r = await req(o, "POST", "/v1/accounts", { token, json: { name: "Main", type: "checking", currency } });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const a1 = await account(ada);
    const a2 = await account(ada, "USD");
    const b1 = await account(bob);
    for (const [token, acc, amount] of [
      [ada, a1, 250_000],
      [ada, a2, 9_999],
      [bob, b1, 1_000],
      [ada, a1, -1_234],
    ] as const) {
      const r = await req(o, "POST", `/v1/accounts/${acc}/transactions`, { token, json: { amount, description: `drill ${amount}` } });
      expect(r.status).toBe(201);
    }
    const keyed = await req(o, "POST", `/v1/accounts/${b1}/transactions`, {
      token: bob,
      json: { amount: 500, description: "keyed deposit" },
      headers: { "Idempotency-Key": "drill-deposit-1" },
    });
    expect(keyed.status).toBe(201);
    const payBody = (amount: number) => ({
      source_account_id: a1,
      destination_account_id: b1,
      amount,
      currency: "EUR",
      description: "rent",
    });
    const paid: { key: string; amount: number; status: number; body: Record<string, unknown> }[] = [];
    // Concurrent payments while nothing else waits: the backup must still see each on both sides.
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const key = `drill-pay-${i}`;
        const r = await req(o, "POST", "/v1/payments", { token: ada, json: payBody(1_000 + i), headers: { "Idempotency-Key": key } });
        expect(r.status).toBe(201);
        paid.push({ key, amount: 1_000 + i, status: r.status, body: r.body });
      }),
    );

    // A monthly scheduled payment (its own object, its row in D1), not due during the test.
    const schedule = await req(o, "POST", "/v1/scheduled-payments", {
      token: ada,
      json: {
        source_account_id: a1,
        destination_account_id: b1,
        amount: 777,
        currency: "EUR",
        description: "monthly rent",
        start_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        interval: { unit: "month", count: 1 },
      },
      headers: { "Idempotency-Key": "drill-schedule-1" },
    });
    expect(schedule.status, JSON.stringify(schedule.body)).toBe(201);

    const snapshot = async (origin: string, ada: string, bob: string) => {
      const out: Record<string, unknown> = {};
      for (const [token, acc] of [
        [ada, a1],
        [ada, a2],
        [bob, b1],
      ] as const) {
        const { as_of, ...balance } = (await req(origin, "GET", `/v1/accounts/${acc}/balance`, { token })).body;
        out[`${acc}/balance`] = balance;
        out[`${acc}/verify`] = (await req(origin, "GET", `/v1/accounts/${acc}/verify`, { token })).body;
        out[`${acc}/transactions`] = (await req(origin, "GET", `/v1/accounts/${acc}/transactions?limit=100`, { token })).body;
        out[`${acc}`] = (await req(origin, "GET", `/v1/accounts/${acc}`, { token })).body;
      }
      out.ada_payments = (await req(origin, "GET", "/v1/payments?limit=100", { token: ada })).body;
      out.bob_payments = (await req(origin, "GET", "/v1/payments?limit=100", { token: bob })).body;
      for (const p of paid) out[String(p.body.id)] = (await req(origin, "GET", `/v1/payments/${String(p.body.id)}`, { token: ada })).body;
      out.ada_me = (await req(origin, "GET", "/v1/users/me", { token: ada })).body;
      out.schedule = (await req(origin, "GET", `/v1/scheduled-payments/${String(schedule.body.id)}`, { token: ada })).body;
      out.schedules = (await req(origin, "GET", "/v1/scheduled-payments", { token: ada })).body;
      return out;
    };
    // Every answered write is projected within a second; wait until D1 has all of them.
    let before: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) {
      before = await snapshot(o, ada, bob);
      const count = (k: string) => (before[k] as { data: unknown[] }).data.length;
      if (count("ada_payments") === 8 && count("bob_payments") === 8 && count("schedules") === 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((before[`${a1}/verify`] as { valid: boolean }).valid).toBe(true);

    // ── back up the running stack, stop it, wipe its folder ──
    const backup = run("scripts/backup.mjs", "--out", backupFile, "--persist-to", state, "--url", o);
    expect(backup.status, backup.out).toBe(0);
    expect(backup.out).toContain(backupFile);
    await stop(stack);
    // A folder that holds a platform is refused without --force.
    const refused = run("scripts/restore.mjs", backupFile, "--persist-to", state);
    expect(refused.status, refused.out).toBe(1);
    expect(refused.out).toMatch(/--force/);
    rmSync(state, { recursive: true, force: true });
    expect(existsSync(state) && readdirSync(state).length).toBeFalsy();

    // ── restore, start again ──
    const restored = run("scripts/restore.mjs", backupFile, "--persist-to", state);
    expect(restored.status, restored.out).toBe(0);
    expect(restored.out).toMatch(/equal the manifest/);
    stack = await start(state);
    const n = stack.origin;
    const again: string[] = [];
    for (const p of people) {
      const r = await req(n, "POST", "/v1/auth/login", { json: { email: p.email, password: PASSWORD } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      again.push(r.body.access_token);
    }
    const after = await snapshot(n, again[0], again[1]);
    expect(after).toEqual(before);

    // Idempotency records came back: the same key and body replay, another body is refused.
    for (const p of paid.slice(0, 3)) {
      const r = await req(n, "POST", "/v1/payments", { token: again[0], json: payBody(p.amount), headers: { "Idempotency-Key": p.key } });
      expect(r.status).toBe(201);
      expect(r.headers.get("idempotent-replayed")).toBe("true");
      expect(r.body).toEqual(p.body);
    }
    const reused = await req(n, "POST", "/v1/payments", {
      token: again[0],
      json: payBody(1),
      headers: { "Idempotency-Key": "drill-pay-0" },
    });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe("idempotency_key_reused");
    const replayDeposit = await req(n, "POST", `/v1/accounts/${b1}/transactions`, {
      token: again[1],
      json: { amount: 500, description: "keyed deposit" },
      headers: { "Idempotency-Key": "drill-deposit-1" },
    });
    expect(replayDeposit.body).toEqual(keyed.body);
    expect(replayDeposit.headers.get("idempotent-replayed")).toBe("true");
    // The throwaway operator the scripts signed in with is gone from the restored platform.
    expect((await snapshot(n, again[0], again[1]))[`${b1}/balance`]).toEqual(before[`${b1}/balance`]);
    await stop(stack);

    const check = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/ledger-check.ts", state], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    expect(check.stdout).toMatch(/3 accounts/);
  }, 600_000);
  it("a backup taken while payments run restores to a ledger that checks, payments in flight included", async () => {
    const state = mkdtempSync(path.join(tmpdir(), "ef-backup-live-"));
    const restored = mkdtempSync(path.join(tmpdir(), "ef-backup-live-restored-"));
    const file = path.join(mkdtempSync(path.join(tmpdir(), "ef-backup-live-file-")), "live.ndjson");
    dirs.push(state, restored, path.dirname(file));
    let stack = await start(state);
    const o = stack.origin;
    const email = `live-${crypto.randomUUID()}@drill.test`;
    const reg = await req(o, "POST", "/v1/auth/register", {
      json: { email, password: PASSWORD, name: "Live" },
    });
    const token = reg.body.access_token as string;
    const accounts: string[] = [];
    for (let i = 0; i < 8; i++) {
      const a = await req(o, "POST", "/v1/accounts", { token, json: { name: `A${i}`, type: "checking", currency: "EUR" } });
      accounts.push(a.body.id);
      expect(
        (await req(o, "POST", `/v1/accounts/${a.body.id}/transactions`, { token, json: { amount: 1_000_000, description: "seed" } }))
          .status,
      ).toBe(201);
    }
    // Six clients paying between the eight accounts for as long as the backup runs.
    let running = true;
    let answered = 0;
    const client = async (c: number) => {
      for (let i = 0; running; i++) {
        const source = accounts[(c + i) % 8];
        const destination = accounts[(c + i + 1 + (i % 7)) % 8];
        const r = await req(o, "POST", "/v1/payments", {
          token,
          json: { source_account_id: source, destination_account_id: destination, amount: 1 + ((c * 7 + i) % 50), currency: "EUR" },
          headers: { "Idempotency-Key": `live-${c}-${i}` },
        });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        answered++;
      }
    };
    const clients = Array.from({ length: 6 }, (_, c) => client(c));
    while (answered < 20) await new Promise((r) => setTimeout(r, 50));
    // One object at a time: the dumps spread over the payments, so some disagree and are dumped again.
    const backup = await runAsync("scripts/backup.mjs", "--out", file, "--persist-to", state, "--url", o, "--concurrency", "1");
    running = false;
    await Promise.all(clients);
    expect(backup.status, backup.out).toBe(0);
    const manifest = JSON.parse(readFileSync(file, "utf8").trim().split("\n").pop()!);
    console.log(
      `live backup: ${answered} payments answered while it ran; ${manifest.payments} in the backup, ${manifest.reserved.length} reserved; ${manifest.redumps} ledger(s) dumped again over ${manifest.rounds} round(s)`,
    );
    // As after any run, the check reads a settled ledger: the projection, written after each answer, has
    // caught up with every account's object (D1's balances, which GET /v1/accounts reads, agree with theirs).
    for (let tries = 0; ; tries++) {
      const listed = (await req(o, "GET", "/v1/accounts?limit=100", { token })).body.data as {
        id: string;
        balance: { current: number; pending: number };
      }[];
      const live = await Promise.all(accounts.map(async (a) => (await req(o, "GET", `/v1/accounts/${a}/balance`, { token })).body));
      const caughtUp = accounts.every((a, i) => {
        const d1 = listed.find((l) => l.id === a)?.balance;
        return d1 !== undefined && d1.current === live[i].current && d1.pending === live[i].pending;
      });
      if (caughtUp) break;
      expect(tries, "the D1 projection did not catch up with the objects").toBeLessThan(200);
      await new Promise((r) => setTimeout(r, 50));
    }
    await stop(stack);
    const before = ledgerCheck(state);
    expect(before.status, before.out).toBe(0);

    const r = run("scripts/restore.mjs", file, "--persist-to", restored);
    expect(r.status, r.out).toBe(0);
    // The restored ledgers finish what was reserved at backup time (their alarm), then everything checks.
    stack = await start(restored);
    await new Promise((r) => setTimeout(r, 7_000));
    const again = (await req(stack.origin, "POST", "/v1/auth/login", { json: { email, password: PASSWORD } })).body.access_token as string;
    const balances = await Promise.all(
      accounts.map(async (a) => (await req(stack.origin, "GET", `/v1/accounts/${a}/balance`, { token: again })).body),
    );
    expect(balances.every((b) => b.pending === 0)).toBe(true);
    // Money is only moved between the eight accounts: their sum is the seed.
    expect(balances.reduce((n, b) => n + (b.current as number), 0)).toBe(8_000_000);
    await stop(stack);
    const check = ledgerCheck(restored);
    expect(check.status, check.out).toBe(0);
  }, 600_000);
});
