// Ledger safety over real HTTP against the real multi-worker stack: payments at the ±(2^53 − 1)
// balance bounds, oversized import and JSON fields, and the offline ledger check afterwards.
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_AMOUNT } from "#core/money";
import { call, expectProblem, ledgerCheck, register } from "./helpers";

const MAX = Number.MAX_SAFE_INTEGER;
let alice = "";
let bob = "";
const post = (p: string, json: unknown, token = alice, headers: Record<string, string> = {}) =>
  call(p, { method: "POST", json, token, headers });
const upload = (acc: string, body: string, type: string, token = alice) =>
  call(`/v1/accounts/${acc}/imports`, { method: "POST", body, token, headers: { "content-type": type } });
const balance = async (acc: string, token = alice) => (await call(`/v1/accounts/${acc}/balance`, { token })).body;

async function account(token: string, extra: Record<string, unknown> = {}) {
  const res = await post("/v1/accounts", { name: "Main", type: "checking", currency: "EUR", ...extra }, token);
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

const major = (minor: number) =>
  `${minor < 0 ? "-" : ""}${Math.floor(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, "0")}`;

/** Brings a balance to `target` with one CSV import of max-size amounts. */
async function fillTo(acc: string, target: number, token = alice) {
  const rows = Array.from({ length: Math.floor(Math.abs(target) / MAX_AMOUNT) }, () => MAX_AMOUNT);
  if (Math.abs(target) % MAX_AMOUNT) rows.push(Math.abs(target) % MAX_AMOUNT);
  const file = [
    "date,amount,description,category",
    ...rows.map((a, i) => `2026-01-01,${major(Math.sign(target) * a)},fill ${i},other`),
  ].join("\n");
  const res = await upload(acc, file, "text/csv", token);
  expect(res.body, res.text).toMatchObject({ imported: rows.length, failed: 0 });
  expect((await balance(acc, token)).current).toBe(target);
}

beforeAll(async () => {
  alice = await register("alice");
  bob = await register("bob");
});

describe("payments at the balance bounds", () => {
  it("refuses a payment past −(2^53 − 1) from an account without a limit: 422, nothing moves on either side", async () => {
    const src = await account(alice, { overdraft_limit: null });
    const dst = await account(bob);
    await fillTo(src, -(MAX - 5000));
    const body = { source_account_id: src, destination_account_id: dst, amount: 10000, currency: "EUR" };
    expectProblem(await post("/v1/payments", body, alice, { "Idempotency-Key": "e2e-floor" }), 422, "insufficient_funds");
    const replay = await post("/v1/payments", body, alice, { "Idempotency-Key": "e2e-floor" });
    expectProblem(replay, 422, "insufficient_funds");
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await balance(src)).toMatchObject({ current: -(MAX - 5000), pending: 0, available: null });
    expect(await balance(dst, bob)).toMatchObject({ current: 0, pending: 0, version: 0 });
    expectProblem(
      await post(`/v1/accounts/${src}/transactions`, { amount: -5001, description: "one past the floor" }),
      422,
      "insufficient_funds",
    );
    const exact = await post("/v1/payments", { ...body, amount: 5000 }, alice, { "Idempotency-Key": crypto.randomUUID() });
    expect(exact.status, exact.text).toBe(201);
    expect(await balance(src)).toMatchObject({ current: -MAX, pending: 0 });
    expect(await balance(dst, bob)).toMatchObject({ current: 5000 });
    expect((await call(`/v1/accounts/${src}/verify`, { token: alice })).body.valid).toBe(true);
    expect((await call(`/v1/accounts/${dst}/verify`, { token: bob })).body.valid).toBe(true);
  });

  it("refuses a payment that would take the destination past +(2^53 − 1): 422, nothing moves", async () => {
    const src = await account(alice);
    const dst = await account(bob);
    await fillTo(dst, MAX - 5000, bob);
    await post(`/v1/accounts/${src}/transactions`, { amount: 20000, description: "top up" });
    const body = { source_account_id: src, destination_account_id: dst, amount: 10000, currency: "EUR" };
    expectProblem(await post("/v1/payments", body, alice, { "Idempotency-Key": "e2e-ceiling" }), 422, "validation_failed");
    expectProblem(await post("/v1/payments", body, alice, { "Idempotency-Key": "e2e-ceiling" }), 422, "validation_failed");
    expect(await balance(src)).toMatchObject({ current: 20000, pending: 0, available: 20000 });
    expect((await balance(dst, bob)).current).toBe(MAX - 5000);
    expect((await call("/v1/payments", { token: alice })).body.data.map((p: any) => p.destination_account_id)).not.toContain(dst);
  });
});

describe("oversized text", () => {
  const huge = "x".repeat(500 * 1024);

  it("imports the good rows of an OFX file with 500 KB NAME, MEMO and PAYEEID and reports the others", async () => {
    const acc = await account(alice);
    const trn = (fitid: string, tags: string) =>
      `<STMTTRN>\n<TRNTYPE>CREDIT\n<DTPOSTED>20260105\n<TRNAMT>10.00\n<FITID>${fitid}\n${tags}\n</STMTTRN>`;
    const lines = [
      "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>",
      trn("g1", "<NAME>GOOD ONE"),
      trn("n1", `<NAME>${huge}`),
      trn("m1", `<MEMO>${huge}`),
      trn("p1", `<NAME>PAYEE\n<PAYEEID>${huge}`),
      trn("g2", "<NAME>GOOD TWO"),
      "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>",
    ].join("\n");
    const res = await upload(acc, lines, "application/x-ofx");
    expect(res.status, res.text.slice(0, 300)).toBe(201);
    expect(res.body).toMatchObject({ imported: 2, duplicates: 0, failed: 3 });
    expect(res.body.errors.map((e: any) => e.line)).toEqual([12, 19, 26]);
    const list = await call(`/v1/accounts/${acc}/transactions`, { token: alice });
    expect(list.body.data.map((t: any) => t.description).sort()).toEqual(["GOOD ONE", "GOOD TWO"]);
    expect((await call(`/v1/transactions/${list.body.data[0].id}`, { token: alice })).status).toBe(200);
  });

  it("imports the good rows of a CSV file with a huge description and reports that row", async () => {
    const acc = await account(alice);
    const res = await upload(
      acc,
      ["date,amount,description", "2026-01-02,5.00,first", `2026-01-02,5.00,${huge}`, "2026-01-03,5.00,third"].join("\n"),
      "text/csv",
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ imported: 2, failed: 1, errors: [{ line: 3 }] });
    expect((await call(`/v1/accounts/${acc}/transactions`, { token: alice })).body.data.map((t: any) => t.description)).toEqual([
      "third",
      "first",
    ]);
  });

  it("answers 422 validation_failed for oversized JSON counterparty or notes and records nothing", async () => {
    const acc = await account(alice);
    for (const extra of [{ counterparty: "c".repeat(201) }, { notes: "n".repeat(2001) }, { counterparty: huge, notes: huge }]) {
      const body = expectProblem(
        await post(`/v1/accounts/${acc}/transactions`, { amount: 100, description: "x", ...extra }),
        422,
        "validation_failed",
      );
      expect(body.errors.length).toBeGreaterThan(0);
    }
    expect((await balance(acc)).version).toBe(0);
  });
});

describe("ledger:check", () => {
  it("finds the objects and the projection consistent after all of the above", async () => {
    const r = ledgerCheck();
    expect(r.stdout, r.output).toContain("✓ balances");
    expect(r.status).toBe(0);
  });
});
