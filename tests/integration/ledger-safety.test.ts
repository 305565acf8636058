// Money safety at the edges of the ledger: balances at ±(2^53 − 1), recovery that one stuck payment
// cannot block, oversized text on every input path, and an outbox that drains after a reset mid-flush.
import { env, evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_AMOUNT, ledgerStub } from "#core";
import { api, auditAccounts, createAccount, createUser, projected } from "./support";

const MAX = Number.MAX_SAFE_INTEGER;
const stub = (id: string) => ledgerStub<any>(env.LEDGER as DurableObjectNamespace, id);

const audit = () => auditAccounts();

const record = (token: string, account: string, json: unknown) =>
  api(`/v1/accounts/${account}/transactions`, { method: "POST", token, json });
const pay = (token: string, json: unknown, key = crypto.randomUUID()) =>
  api("/v1/payments", { method: "POST", token, json, idempotencyKey: key });
const balance = async (token: string, account: string) => (await api(`/v1/accounts/${account}/balance`, { token })).body;
const verify = async (token: string, account: string) => (await api(`/v1/accounts/${account}/verify`, { token })).body;
const upload = (token: string, account: string, body: string, type: string) =>
  api(`/v1/accounts/${account}/imports`, { method: "POST", token, body, headers: { "content-type": type } });

/** EUR minor units as a CSV major-unit amount, exactly. */
const major = (minor: number) =>
  `${minor < 0 ? "-" : ""}${Math.floor(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, "0")}`;

/** Brings an account's balance to `target` (up to ±(2^53 − 1)) with one import of max-size amounts. */
async function fillTo(token: string, account: string, target: number) {
  const sign = Math.sign(target);
  const rows = Array.from({ length: Math.floor(Math.abs(target) / MAX_AMOUNT) }, () => MAX_AMOUNT);
  if (Math.abs(target) % MAX_AMOUNT) rows.push(Math.abs(target) % MAX_AMOUNT);
  const file = ["date,amount,description,category", ...rows.map((a, i) => `2026-01-01,${major(sign * a)},fill ${i},other`)].join("\n");
  const res = await upload(token, account, file, "text/csv");
  expect(res.body).toMatchObject({ imported: rows.length, failed: 0 });
  expect((await balance(token, account)).current).toBe(target);
  return rows.length;
}

describe("balance bounds", () => {
  it("refuses a payment past −(2^53 − 1) on a source without a limit at reserve time: 422, nothing moves, holds counted", async () => {
    const a = await createUser();
    const b = await createUser();
    const src = await createAccount(a.id, { overdraft_limit: null });
    const dst = await createAccount(b.id);
    const slow = await createAccount(b.id);
    const entries = await fillTo(a.token, src, -(MAX - 5000));

    const body = { source_account_id: src, destination_account_id: dst, amount: 10000, currency: "EUR" };
    const refused = await pay(a.token, body, "floor-1");
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("insufficient_funds");
    expect(await balance(a.token, src)).toMatchObject({ current: -(MAX - 5000), pending: 0, available: null, version: entries });
    expect(await balance(b.token, dst)).toMatchObject({ current: 0, pending: 0, version: 0 });
    const replay = await pay(a.token, body, "floor-1");
    expect(replay.status).toBe(422);
    expect(replay.body.code).toBe("insufficient_funds");
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await api("/v1/payments", { token: a.token })).body.data).toEqual([]);

    // A hold in flight counts: neither a second payment nor a plain outflow may eat the room it reserved.
    await stub(slow).injectCreditFailures(100);
    const inFlight = await pay(a.token, { ...body, destination_account_id: slow, amount: 3000 }, "floor-held");
    expect(inFlight.status).toBe(409);
    expect(await balance(a.token, src)).toMatchObject({ current: -(MAX - 5000), pending: 3000 });
    // Its destination never answered: the payments view shows it pending (a settled payment is projected once, settled).
    await projected(src);
    const listed = (await api("/v1/payments", { token: a.token })).body.data;
    expect(listed).toMatchObject([{ status: "pending", amount: 3000, destination_account_id: slow }]);
    expect((await pay(a.token, { ...body, amount: 3000 })).body.code).toBe("insufficient_funds");
    const outflow = await record(a.token, src, { amount: -3000, description: "would eat the hold's room" });
    expect(outflow.status).toBe(422);
    expect(outflow.body.code).toBe("insufficient_funds");
    await stub(slow).injectCreditFailures(0);
    expect(await runDurableObjectAlarm(stub(src))).toBe(true);
    expect((await pay(a.token, { ...body, destination_account_id: slow, amount: 3000 }, "floor-held")).status).toBe(201);
    await projected(src);
    expect((await api(`/v1/payments/${listed[0].id}`, { token: a.token })).body).toMatchObject({ status: "completed" });

    // Exactly down to the bound is fine.
    const last = await pay(a.token, { ...body, amount: 2000 });
    expect(last.status).toBe(201);
    expect(await balance(a.token, src)).toMatchObject({ current: -MAX, pending: 0 });
    expect(await balance(b.token, dst)).toMatchObject({ current: 2000, version: 1 });
    expect(await balance(b.token, slow)).toMatchObject({ current: 3000, version: 1 });
    for (const [t, id] of [
      [a.token, src],
      [b.token, dst],
      [b.token, slow],
    ])
      expect((await verify(t, id)).valid).toBe(true);
    expect(await audit()).toEqual([]);
  });

  it("voids a payment whose credit would take the destination past +(2^53 − 1): 422, nothing moves", async () => {
    const a = await createUser();
    const b = await createUser();
    const src = await createAccount(a.id);
    const dst = await createAccount(b.id);
    const entries = await fillTo(b.token, dst, MAX - 5000);
    await record(a.token, src, { amount: 20000, description: "top up" });
    const body = { source_account_id: src, destination_account_id: dst, amount: 10000, currency: "EUR" };
    const refused = await pay(a.token, body, "ceiling-1");
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("validation_failed");
    expect(await balance(a.token, src)).toMatchObject({ current: 20000, pending: 0, available: 20000, version: 1 });
    expect(await balance(b.token, dst)).toMatchObject({ current: MAX - 5000, version: entries });
    const replay = await pay(a.token, body, "ceiling-1");
    expect(replay.status).toBe(422);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await pay(a.token, { ...body, amount: 5000 })).status).toBe(201);
    expect(await balance(b.token, dst)).toMatchObject({ current: MAX });
    expect((await verify(a.token, src)).valid).toBe(true);
    expect((await verify(b.token, dst)).valid).toBe(true);
    expect(await audit()).toEqual([]);
  });
});

describe("payment recovery", () => {
  it("finishes every other reserved payment when one cannot be posted, and posts that one once the source has room", async () => {
    const a = await createUser();
    const src = await createAccount(a.id, { overdraft_limit: null });
    const d1 = await createAccount(a.id);
    const d2 = await createAccount(a.id);
    await fillTo(a.token, src, -(MAX - 5000));
    // Two payments reserved without the bound check (as before it existed), both stuck on their credit.
    await stub(src).injectFault("legacy_reserve", 2);
    await stub(d1).injectCreditFailures(100);
    await stub(d2).injectCreditFailures(100);
    const base = { source_account_id: src, currency: "EUR" };
    const p1 = { ...base, destination_account_id: d1, amount: 10000 };
    const p2 = { ...base, destination_account_id: d2, amount: 100 };
    expect((await pay(a.token, p1, "stuck-1")).status).toBe(409);
    expect((await pay(a.token, p2, "stuck-2")).status).toBe(409);
    await stub(d1).injectCreditFailures(0);
    await stub(d2).injectCreditFailures(0);
    await evictDurableObject(stub(src));

    // The first one can never post at this balance; the second must not wait behind it.
    expect(await runDurableObjectAlarm(stub(src))).toBe(true);
    const second = await pay(a.token, p2, "stuck-2");
    expect(second.status).toBe(201);
    expect(second.body.status).toBe("completed");
    expect(await balance(a.token, d2)).toMatchObject({ current: 100 });
    // The first stays in flight, both sides consistent: its hold still counts on the source.
    expect((await pay(a.token, p1, "stuck-1")).body.code).toBe("idempotency_request_in_progress");
    expect(await balance(a.token, src)).toMatchObject({ current: -(MAX - 5000) - 100, pending: 10000 });

    // Money in gives the hold room: the next alarm posts it.
    expect((await record(a.token, src, { amount: 10000, description: "top up" })).status).toBe(201);
    expect(await runDurableObjectAlarm(stub(src))).toBe(true);
    const first = await pay(a.token, p1, "stuck-1");
    expect(first.status).toBe(201);
    expect(await balance(a.token, src)).toMatchObject({ current: -(MAX - 4900), pending: 0 });
    expect(await balance(a.token, d1)).toMatchObject({ current: 10000, version: 1 });
    expect((await verify(a.token, src)).valid).toBe(true);
    expect(await audit()).toEqual([]);
  });
});

describe("text bounds", () => {
  const huge = "x".repeat(500 * 1024);

  it("reports oversized OFX NAME, MEMO, PAYEEID and FITID as row errors and imports the other rows", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const trn = (fitid: string, tags: string) => `<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260105<TRNAMT>10.00<FITID>${fitid}${tags}</STMTTRN>`;
    const file = [
      "OFXHEADER:100",
      "DATA:OFXSGML",
      "",
      "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>",
      trn("ok-1", "<NAME>FIRST GOOD"),
      trn("big-name", `<NAME>${huge}`),
      trn("big-memo", `<MEMO>${huge}`),
      trn("big-payee", `<NAME>PAYEE<PAYEEID>${huge}`),
      trn("f".repeat(256), "<NAME>LONG FITID"),
      trn("ok-2", "<NAME>SECOND GOOD<PAYEEID>ACME-42"),
      "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>",
    ].join("\n");
    const res = await upload(u.token, acc, file, "application/x-ofx");
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ imported: 2, duplicates: 0, failed: 4 });
    expect(res.body.errors.map((e: any) => e.line)).toEqual([6, 7, 8, 9]);
    expect(res.body.errors.map((e: any) => e.message.length < 200)).toEqual([true, true, true, true]);
    const list = await api(`/v1/accounts/${acc}/transactions`, { token: u.token });
    expect(list.body.data.map((t: any) => t.description).sort()).toEqual(["FIRST GOOD", "SECOND GOOD"]);
    expect(list.body.data.find((t: any) => t.external_id === "ok-2").counterparty).toBe("ACME-42");
    expect(await balance(u.token, acc)).toMatchObject({ current: 2000, version: 2 });
    expect((await verify(u.token, acc)).valid).toBe(true);
    expect(await audit()).toEqual([]);
  });

  it("reports oversized CSV fields as row errors and imports the other rows", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const file = [
      "date,amount,description,counterparty,notes,external_id",
      "2026-01-02,5.00,good one,,,",
      `2026-01-02,5.00,${huge},,,`,
      `2026-01-02,5.00,big counterparty,${"c".repeat(201)},,`,
      `2026-01-02,5.00,big external id,,,${"e".repeat(256)}`,
      `2026-01-02,5.00,longest fields,${"c".repeat(200)},,${"e".repeat(255)}`,
    ].join("\r\n");
    const res = await upload(u.token, acc, file, "text/csv");
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ imported: 2, failed: 3 });
    expect(res.body.errors.map((e: any) => e.line)).toEqual([3, 4, 5]);
    const list = await api(`/v1/accounts/${acc}/transactions`, { token: u.token });
    expect(list.body.data.map((t: any) => t.description).sort()).toEqual(["good one", "longest fields"]);
    const longest = list.body.data.find((t: any) => t.description === "longest fields");
    expect(longest).toMatchObject({ counterparty: "c".repeat(200), external_id: "e".repeat(255) });
    expect((await api(`/v1/transactions/${longest.id}`, { token: u.token })).status).toBe(200);
    expect(await audit()).toEqual([]);
  });

  it("answers 422 validation_failed for oversized JSON fields and changes nothing", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const cases: [Record<string, unknown>, string][] = [
      [{ description: "d".repeat(501) }, "description"],
      [{ counterparty: "c".repeat(201) }, "counterparty"],
      [{ notes: "n".repeat(2001) }, "notes"],
      [{ external_id: "e".repeat(256) }, "external_id"],
      [{ category: "k".repeat(65) }, "category"],
      [{ counterparty: huge, notes: huge }, "counterparty"],
    ];
    for (const [extra, path] of cases) {
      const res = await record(u.token, acc, { amount: 100, description: "x", ...extra });
      expect(res.status, path).toBe(422);
      expect(res.body.code).toBe("validation_failed");
      expect(res.body.errors.map((e: any) => e.path)).toContain(path);
    }
    expect((await balance(u.token, acc)).version).toBe(0);
    const ok = await record(u.token, acc, {
      amount: 100,
      description: "d".repeat(500),
      counterparty: "c".repeat(200),
      notes: "n".repeat(2000),
      external_id: "e".repeat(255),
    });
    expect(ok.status).toBe(201);
    for (const [json, path] of [
      [{ notes: "n".repeat(2001) }, "notes"],
      [{ description: "d".repeat(501) }, "description"],
    ] as const) {
      const res = await api(`/v1/transactions/${ok.body.id}`, { method: "PATCH", token: u.token, json });
      expect(res.status, path).toBe(422);
      expect(res.body.errors.map((e: any) => e.path)).toContain(path);
    }
    expect((await api(`/v1/transactions/${ok.body.id}`, { token: u.token })).body.notes).toBe("n".repeat(2000));
  });

  it("refuses oversized text in the ledger object itself, writing neither the entry nor its outbox row", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const row = { amount: 100, description: "ok", category: "other", occurred_at: "2026-01-01" };
    const results = await stub(acc).importRows([
      { ...row, counterparty: huge },
      { ...row, description: "d".repeat(501) },
      { ...row, notes: "n".repeat(2001) },
      row,
    ]);
    expect(results.map((r: any) => r.status)).toEqual(["failed", "failed", "failed", "imported"]);
    const snap = await stub(acc).snapshot();
    expect(snap.entries).toHaveLength(1);
    expect(snap.outbox).toBe(0);
    expect(await audit()).toEqual([]);
  });
});

describe("outbox", () => {
  it("drains by alarm when the object is reset between writing an entry and projecting it", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    await stub(acc).injectFault("flush_reset", 1);
    const res = await record(u.token, acc, { amount: 4200, description: "written, then reset" });
    expect(res.status).not.toBe(201);
    const written = await stub(acc).snapshot();
    expect(written.entries).toHaveLength(1);
    expect(written.outbox).toBeGreaterThan(0);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM entries WHERE account_id = ?").bind(acc).first<{ n: number }>())!.n).toBe(0);

    await evictDurableObject(stub(acc));
    expect(await runDurableObjectAlarm(stub(acc))).toBe(true);
    const list = await api(`/v1/accounts/${acc}/transactions`, { token: u.token });
    expect(list.body.data).toMatchObject([{ amount: 4200, description: "written, then reset" }]);
    expect((await stub(acc).snapshot()).outbox).toBe(0);
    expect(await audit()).toEqual([]);
  });
});
