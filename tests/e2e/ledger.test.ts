// The ledger over real HTTP against the real multi-worker stack: concurrent payments, idempotent
// replays, imports, bad input, and the offline ledger check over the stack's own SQLite files.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { call, expectProblem, register } from "./helpers";

let alice = "";
let bob = "";
const post = (p: string, json: unknown, token = alice, headers: Record<string, string> = {}) =>
  call(p, { method: "POST", json, token, headers });

async function account(token: string, extra: Record<string, unknown> = {}) {
  const res = await post("/v1/accounts", { name: "Main", type: "checking", currency: "EUR", ...extra }, token);
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

beforeAll(async () => {
  alice = await register("alice");
  bob = await register("bob");
});

describe("payments over HTTP", () => {
  it("lets exactly the affordable number of 200 simultaneous payments through", async () => {
    const src = await account(alice, { overdraft_limit: 500 });
    const dst = await account(bob);
    await post(`/v1/accounts/${src}/transactions`, { amount: 9500, description: "salary" });
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        post("/v1/payments", { source_account_id: src, destination_account_id: dst, amount: 100, currency: "EUR" }, alice, {
          "Idempotency-Key": crypto.randomUUID(),
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(100);
    for (const r of results.filter((r) => r.status !== 201)) expectProblem(r, 422, "insufficient_funds");
    const balance = (await call(`/v1/accounts/${src}/balance`, { token: alice })).body;
    expect(balance).toMatchObject({ current: -500, pending: 0, available: 0 });
    expect((await call(`/v1/accounts/${dst}/balance`, { token: bob })).body.current).toBe(10000);
    expect((await call(`/v1/accounts/${src}/verify`, { token: alice })).body).toMatchObject({ entries: 101, valid: true });
  });

  it("applies a concurrently replayed key once and refuses a changed body", async () => {
    const src = await account(alice);
    const dst = await account(alice);
    await post(`/v1/accounts/${src}/transactions`, { amount: 5000, description: "top up" });
    const body = { source_account_id: src, destination_account_id: dst, amount: 1500, currency: "EUR" };
    const results = await Promise.all(
      Array.from({ length: 25 }, () => post("/v1/payments", body, alice, { "Idempotency-Key": "e2e-pay-1" })),
    );
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    for (const r of results.filter((r) => r.status !== 201)) expectProblem(r, 409, "idempotency_request_in_progress");
    const replay = await post("/v1/payments", body, alice, { "Idempotency-Key": "e2e-pay-1" });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expectProblem(
      await post("/v1/payments", { ...body, amount: 1501 }, alice, { "Idempotency-Key": "e2e-pay-1" }),
      422,
      "idempotency_key_reused",
    );
    expect((await call(`/v1/accounts/${src}/balance`, { token: alice })).body.current).toBe(3500);
  });

  it("answers bad payments with problem+json and moves nothing", async () => {
    const src = await account(alice);
    const dst = await account(bob);
    const usd = await account(bob, { currency: "USD" });
    await post(`/v1/accounts/${src}/transactions`, { amount: 1000, description: "top up" });
    const pay = (json: unknown, key: string = crypto.randomUUID()) => post("/v1/payments", json, alice, { "Idempotency-Key": key });
    const base = { source_account_id: src, destination_account_id: dst, amount: 10, currency: "EUR" };
    expectProblem(await pay({ ...base, amount: 2000 }), 422, "insufficient_funds");
    expectProblem(await pay({ ...base, destination_account_id: usd }), 422, "currency_mismatch");
    expectProblem(await pay({ ...base, amount: 10.5 }), 422, "validation_failed");
    expectProblem(await pay({ ...base, amount: "10" }), 422, "validation_failed");
    expectProblem(await pay({ ...base, amount: 1e20 }), 422, "validation_failed");
    expectProblem(await pay({ ...base, amount: -1 }), 422, "validation_failed");
    expectProblem(await pay({ ...base, destination_account_id: src }), 422, "validation_failed");
    expectProblem(await pay({ ...base, memo: "unknown field" }), 422, "validation_failed");
    expectProblem(await pay({ ...base, source_account_id: usd, destination_account_id: src }), 404, "not_found"); // bob's account
    expectProblem(await call("/v1/payments", { method: "POST", json: base, token: alice }), 400, "validation_failed"); // no key
    expectProblem(await pay({ ...base }, "k".repeat(256)), 400, "validation_failed");
    expect((await call(`/v1/accounts/${src}/balance`, { token: alice })).body).toMatchObject({ current: 1000, version: 1 });
  });
});

describe("imports over HTTP", () => {
  it("imports CSV and OFX, skips duplicates on re-import and reports bad lines", async () => {
    const acc = await account(alice, { overdraft_limit: null });
    const csv =
      "date,amount,description,external_id\n2026-03-01,1200.00,SALAIRE ACME,e1\n2026-03-02,-45.10,CARREFOUR MARKET 123,\n2026-03-02,abc,broken,\n";
    const send = (body: string, type: string) =>
      call(`/v1/accounts/${acc}/imports`, { method: "POST", body, token: alice, headers: { "content-type": type } });
    const first = await send(csv, "text/csv");
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({ imported: 2, duplicates: 0, failed: 1, errors: [{ line: 4 }] });
    expect((await send(csv, "text/csv")).body).toMatchObject({ imported: 0, duplicates: 2, failed: 1 });
    const ofx =
      "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>\n<STMTTRN>\n<DTPOSTED>20260305\n<TRNAMT>-9.99\n<FITID>F1\n<NAME>NETFLIX.COM\n</STMTTRN>\n</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n";
    expect((await send(ofx, "application/x-ofx")).body).toMatchObject({ imported: 1, failed: 0 });
    expect((await call(`/v1/accounts/${acc}/balance`, { token: alice })).body.current).toBe(120000 - 4510 - 999);
    expectProblem(await send("not,a,statement", "text/csv"), 422, "validation_failed");
    expectProblem(await send("{}", "application/json"), 415, "unsupported_media_type");
  });
});

describe("ledger:check", () => {
  it("finds the stack's objects and projection consistent", async () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const r = spawnSync(
      process.execPath,
      [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/ledger-check.ts", inject("persistTo")],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.stdout).toMatch(/ledger:check — \d+ accounts, \d+ entries/);
    expect(r.stdout, r.stdout + r.stderr).toContain("✓ balances");
    expect(r.status).toBe(0);
    expect(Number(/(\d+) entries/.exec(r.stdout)![1])).toBeGreaterThan(100);
  });
});
