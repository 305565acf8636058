// The money path at the edge: the account objects check ownership, currency and status themselves, so
// a payment, a transaction with a taxonomy category and a balance read run no D1 statement in the
// domain workers before they answer; the D1 projection is written after the answer and catches up
// after an outage; reads of one account come from its object, so a write is visible at once.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ledgerStub } from "#core";
import type { TestLedger } from "../worker";
import { api, auditAccounts, createAccount, createUser, direct, pay, payerAndPayee, record, timingCounts } from "./support";

const stub = (id: string) => ledgerStub<TestLedger>(env.LEDGER as DurableObjectNamespace, id);

const audit = (ids: string[]) => auditAccounts(ids);

/** D1 statements and Durable Object calls a Server-Timing header reports (absent = 0). */

const projected = async (account: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM entries WHERE account_id = ?").bind(account).first<{ n: number }>())!.n;

/** Polls (each poll is I/O, so workerd's clock moves) until `check` holds; fails after `tries`. */
async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, tries = 200): Promise<T> {
  let v = await read();
  for (let i = 0; i < tries && !check(v); i++) {
    await new Promise((r) => setTimeout(r, 5));
    v = await read();
  }
  expect(check(v), JSON.stringify(v)).toBe(true);
  return v;
}

describe("no D1 statement before the answer", () => {
  it("runs none for a transaction with a taxonomy category, a balance read and a payment (beyond the Idempotency-Key claim)", async () => {
    const { a, b, src, dst } = await payerAndPayee();

    const txn = await direct("TransactionsService", a.id, `/v1/accounts/${src}/transactions`, {
      method: "POST",
      json: { amount: 10_000, description: "salary", category: "income" },
    });
    expect(txn.status, JSON.stringify(txn.body)).toBe(201);
    expect(txn.timing.d1).toBe(0);
    expect(txn.timing.do).toBe(1);

    const balance = await direct("TransactionsService", a.id, `/v1/accounts/${src}/balance`);
    expect(balance.body).toMatchObject({ current: 10_000, version: 1 });
    expect(balance.timing).toEqual({ d1: 0, do: 1 });

    // What claiming an Idempotency-Key costs in D1 (the gateway's concern, 0 once claims leave D1).
    const keyed = await direct("TransactionsService", a.id, `/v1/accounts/${src}/transactions`, {
      method: "POST",
      json: { amount: 1, description: "keyed", category: "other" },
      key: crypto.randomUUID(),
    });
    expect(keyed.status).toBe(201);
    const claim = keyed.timing.d1;

    const body = { source_account_id: src, destination_account_id: dst, amount: 2_500, currency: "EUR", description: "rent" };
    const paid = await direct("PaymentsService", a.id, "/v1/payments", { method: "POST", json: body, key: crypto.randomUUID() });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.timing.d1).toBe(claim);
    expect(paid.timing.do).toBe(1 + keyed.timing.do - txn.timing.do); // the key's claim (caller's UserState object), then the source's ledger
    // The payee's owner came from the destination object: the projection names the payee.
    await eventually(
      () => env.DB.prepare("SELECT destination_user_id, status FROM payments WHERE id = ?").bind(paid.body.id).first(),
      (r) => r?.status === "completed" && r?.destination_user_id === b.id,
    );
    expect((await api(`/v1/payments/${paid.body.id}`, { token: b.token })).status).toBe(200);
    await eventually(
      () => audit([src, dst]),
      (p) => p.length === 0,
    );
  });

  it("runs none at all through the gateway once the caller's state is warm", async () => {
    const { a, src, dst } = await payerAndPayee();
    const d1 = (res: { headers: Headers }) => timingCounts(res.headers).d1;
    await api(`/v1/accounts/${src}/balance`, { token: a.token }); // a user made outside the API: its state is read from D1 once
    const txn = await api(`/v1/accounts/${src}/transactions`, {
      method: "POST",
      token: a.token,
      json: { amount: 5_000, description: "in", category: "income" },
    });
    expect(txn.status).toBe(201);
    expect(d1(txn)).toBe(0);
    const balance = await api(`/v1/accounts/${src}/balance`, { token: a.token });
    expect(d1(balance)).toBe(0);
    const paid = await pay(a.token, { source_account_id: src, destination_account_id: dst, amount: 100, currency: "EUR" });
    expect(paid.status).toBe(201);
    expect(d1(paid)).toBe(0);
  });

  it("keeps foreign and absent accounts indistinguishable (404) without asking D1", async () => {
    const owner = await createUser();
    const other = await createUser();
    const acc = await createAccount(owner.id);
    const mine = await createAccount(other.id);
    for (const id of [acc, "acc_00000000000000000000000000"]) {
      for (const [worker, path, init] of [
        [
          "TransactionsService",
          `/v1/accounts/${id}/transactions`,
          { method: "POST", json: { amount: 5, description: "x", category: "other" } },
        ],
        ["TransactionsService", `/v1/accounts/${id}/balance`, {}],
        ["TransactionsService", `/v1/accounts/${id}/transactions`, {}],
        ["TransactionsService", `/v1/accounts/${id}/verify`, {}],
        [
          "PaymentsService",
          "/v1/payments",
          {
            method: "POST",
            json: { source_account_id: id, destination_account_id: mine, amount: 1, currency: "EUR" },
            key: crypto.randomUUID(),
          },
        ],
      ] as const) {
        const res = await direct(worker, other.id, path, init as any);
        expect(res.status, `${worker} ${path}`).toBe(404);
        expect(res.body.code).toBe("not_found");
        expect(res.body.detail).not.toContain(id);
      }
    }
    // A payment to an absent destination moves nothing and is 404 too.
    await api(`/v1/accounts/${mine}/transactions`, {
      method: "POST",
      token: other.token,
      json: { amount: 100, description: "in", category: "income" },
    });
    const nowhere = await pay(other.token, {
      source_account_id: mine,
      destination_account_id: "acc_00000000000000000000000001",
      amount: 10,
      currency: "EUR",
    });
    expect(nowhere.status).toBe(404);
    expect((await api(`/v1/accounts/${mine}/balance`, { token: other.token })).body).toMatchObject({ current: 100, pending: 0 });
  });
});

describe("reads of one account come from its object", () => {
  it("shows a write at once in the list, by id and in the balance, even while D1 is down, and the projection catches up after", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const other = await createAccount(u.id);
    await stub(acc).injectFault("d1_down", 1_000);
    const first = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      json: { amount: 5_000, description: "Salary", category: "income", occurred_at: "2026-03-01" },
    });
    expect(first.status).toBe(201);
    const second = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      json: { amount: -1_250, description: "Bakery Paul", category: "groceries", occurred_at: "2026-03-02" },
    });
    expect(second.status).toBe(201);
    const paid = await pay(u.token, { source_account_id: acc, destination_account_id: other, amount: 750, currency: "EUR" });
    expect(paid.status).toBe(201);
    // The payment by id as well, from the source's object, to its payer only.
    const byId = await api(`/v1/payments/${paid.body.id}`, { token: u.token });
    expect([byId.status, byId.body]).toEqual([200, paid.body]);
    const stranger = await createUser();
    await createAccount(stranger.id);
    expect((await api(`/v1/payments/${paid.body.id}`, { token: stranger.token })).status).toBe(404);

    // Nothing of this account reached D1, yet every read of it shows every answered write.
    expect(await projected(acc)).toBe(0);
    const list = await api(`/v1/accounts/${acc}/transactions`, { token: u.token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((t: any) => t.amount)).toEqual([-750, -1_250, 5_000]);
    expect(list.body.data[0]).toMatchObject({ payment_id: paid.body.id, account_id: acc, currency: "EUR", balance_after: 3_000 });
    const page1 = await api(`/v1/accounts/${acc}/transactions?limit=2`, { token: u.token });
    expect(page1.body.data.map((t: any) => t.amount)).toEqual([-750, -1_250]);
    const page2 = await api(`/v1/accounts/${acc}/transactions?limit=2&cursor=${page1.body.next_cursor}`, { token: u.token });
    expect(page2.body).toMatchObject({ data: [{ amount: 5_000 }], next_cursor: null });
    const filtered = async (q: string) =>
      (await api(`/v1/accounts/${acc}/transactions?${q}`, { token: u.token })).body.data.map((t: any) => t.amount);
    expect(await filtered("category=groceries")).toEqual([-1_250]);
    expect(await filtered("q=bakery")).toEqual([-1_250]);
    expect(await filtered("from=2026-03-02&to=2026-03-02")).toEqual([-1_250]);
    // A date-time bound is taken as its date, as occurred_at is; a bound that is neither is 400.
    expect(await filtered("from=2026-03-02T23:59:00Z&to=2026-03-02T00:00:00%2B02:00")).toEqual([-1_250]);
    const bad = await api(`/v1/accounts/${acc}/transactions?from=2026-02-30`, { token: u.token });
    expect([bad.status, bad.body.code]).toEqual([400, "validation_failed"]);
    expect(await filtered("q=%25")).toEqual([]);
    const one = await api(`/v1/transactions/${second.body.id}`, { token: u.token });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: second.body.id, amount: -1_250, category: "groceries" });
    const patched = await api(`/v1/transactions/${second.body.id}`, { method: "PATCH", token: u.token, json: { notes: "croissants" } });
    expect(patched.body).toMatchObject({ notes: "croissants", amount: -1_250 });
    const reversed = await api(`/v1/transactions/${second.body.id}/reverse`, { method: "POST", token: u.token });
    expect(reversed.status).toBe(201);
    expect(reversed.body).toMatchObject({ amount: 1_250, reverses_id: second.body.id, balance_after: 4_250 });
    expect((await api(`/v1/accounts/${acc}/balance`, { token: u.token })).body).toMatchObject({ current: 4_250, version: 4 });
    expect(await projected(acc)).toBe(0);
    expect((await stub(acc).snapshot()).outbox).toBeGreaterThan(0);

    // D1 is back: the alarm sends the backlog in order, as upserts, and nothing is lost.
    await stub(acc).injectFault("d1_down", 0);
    expect(await runDurableObjectAlarm(stub(acc) as unknown as DurableObjectStub)).toBe(true);
    expect(await projected(acc)).toBe(4);
    expect((await stub(acc).snapshot()).outbox).toBe(0);
    const row = await env.DB.prepare("SELECT notes FROM entries WHERE id = ?").bind(second.body.id).first<{ notes: string }>();
    expect(row?.notes).toBe("croissants");
    expect(await env.DB.prepare("SELECT status FROM payments WHERE id = ?").bind(paid.body.id).first()).toEqual({ status: "completed" });
    expect(await audit([acc, other])).toEqual([]);
  });

  it("answers a payment by id to its payer and its payee before D1 has it, and to nobody else", async () => {
    const { a, b, src, dst } = await payerAndPayee();
    expect((await record(a.token, src, { amount: 5_000, description: "salary", category: "income" })).status).toBe(201);
    for (const acc of [src, dst]) await stub(acc).injectFault("d1_down", 1_000);
    const paid = await pay(a.token, {
      source_account_id: src,
      destination_account_id: dst,
      amount: 1_250,
      currency: "EUR",
      description: "rent",
    });
    expect(paid.status).toBe(201);
    const inD1 = () => env.DB.prepare("SELECT count(*) AS n FROM payments WHERE id = ?").bind(paid.body.id).first<number>("n");
    expect(await inD1()).toBe(0);
    for (const who of [a, b]) {
      const seen = await api(`/v1/payments/${paid.body.id}`, { token: who.token });
      expect([seen.status, seen.body]).toEqual([200, paid.body]);
    }
    const stranger = await createUser();
    await createAccount(stranger.id);
    expect((await api(`/v1/payments/${paid.body.id}`, { token: stranger.token })).status).toBe(404);

    // D1 is back: both read the same payment from the projection.
    for (const acc of [src, dst]) {
      await stub(acc).injectFault("d1_down", 0);
      expect(await runDurableObjectAlarm(stub(acc) as unknown as DurableObjectStub)).toBe(true);
    }
    expect(await inD1()).toBe(1);
    for (const who of [a, b]) expect((await api(`/v1/payments/${paid.body.id}`, { token: who.token })).body).toEqual(paid.body);
  });

  it("answers before the projection is written: a held D1 batch does not hold the 201", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    await stub(acc).injectFault("hold_projection", 1);
    const res = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      json: { amount: 42, description: "fast", category: "other" },
    });
    expect(res.status).toBe(201);
    expect(await projected(acc)).toBe(0);
    expect((await api(`/v1/transactions/${res.body.id}`, { token: u.token })).body).toMatchObject({ amount: 42 });
    await stub(acc).releaseProjection();
    await eventually(
      () => projected(acc),
      (n) => n === 1,
    );
  });

  it("projects balances for GET /v1/accounts, which calls no object", async () => {
    const u = await createUser();
    const created = await api("/v1/accounts", {
      method: "POST",
      token: u.token,
      json: { name: "Main", type: "checking", currency: "EUR", overdraft_limit: 1_000 },
    });
    const acc = created.body.id as string;
    await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      json: { amount: 2_000, description: "in", category: "income" },
    });
    const list = await direct("FinanceService", u.id, "/v1/accounts");
    expect(list.timing.do).toBe(0);
    const after = await eventually(
      async () => (await direct("FinanceService", u.id, "/v1/accounts")).body.data[0],
      (a) => a.balance.current === 2_000,
    );
    expect(after).toMatchObject({ id: acc, balance: { current: 2_000, pending: 0, available: 3_000 } });
    // One account keeps its live balance from the object.
    expect((await api(`/v1/accounts/${acc}`, { token: u.token })).body.balance).toEqual({ current: 2_000, pending: 0, available: 3_000 });
  });
});

describe("categories", () => {
  it("categorises after the answer when asked (Prefer: respond-async), and says so", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const res = await record(
      u.token,
      acc,
      { amount: -4_599, description: "CB CARREFOUR MARKET 12/03 PARIS" },
      { headers: { prefer: "respond-async" } },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ category: "other", category_status: "pending" });
    const later = await eventually(
      async () => (await api(`/v1/transactions/${res.body.id}`, { token: u.token })).body,
      (t) => t.category_status === "final",
    );
    expect(later.category).toBe("groceries");
  });

  it("categorises before the answer by default, the user's rules first", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    expect(
      (await api("/v1/categories/rules", { method: "POST", token: u.token, json: { contains: "carrefour", category: "dining" } })).status,
    ).toBe(201);
    const res = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      json: { amount: -4_599, description: "CB CARREFOUR MARKET" },
    });
    expect(res.body).toMatchObject({ category: "dining", category_status: "final" });
    const given = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      json: { amount: -1, description: "x", category: "dining" },
    });
    expect(given.body).toMatchObject({ category: "dining", category_status: "final" });
  });
});
