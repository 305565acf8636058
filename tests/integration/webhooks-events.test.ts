// Events recorded by the ledger in the same durable step as the money: exactly the right events for
// each user, none for a refused request, and an outbox that keeps them through a reset and a queue outage.
import { env, evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { ledgerStub } from "#core";
import { api, createAccount, createUser, record } from "./support";

const stub = (id: string) => ledgerStub<any>(env.LEDGER as unknown as DurableObjectNamespace, id);
const pay = (token: string, json: unknown, key = crypto.randomUUID()) =>
  api("/v1/payments", { method: "POST", token, json, idempotencyKey: key });

/** Once every object's drain has run: the user's events in D1, oldest first. */
async function eventsOf(userId: string, accounts: string[]) {
  await Promise.all(accounts.map((a) => stub(a).snapshot()));
  const rows = (
    await env.DB.prepare("SELECT id, user_id, type, data, created_at FROM events WHERE user_id = ? ORDER BY created_at, id")
      .bind(userId)
      .all<{ id: string; user_id: string; type: string; data: string; created_at: string }>()
  ).results;
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) }));
}
const types = (rows: { type: string }[]) => rows.map((r) => r.type).sort();
const published = async (accounts: string[]) => (await Promise.all(accounts.map((a) => stub(a).publishedEvents()))).flat();

describe("events from the ledger", () => {
  it("a recorded transaction is one transaction.created for its owner, the transaction as the API returns it, stored then published", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const res = await record(u.token, acc, { amount: 1_250, description: "Salary", category: "income" });
    expect(res.status).toBe(201);
    const events = await eventsOf(u.id, [acc]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "transaction.created", user_id: u.id, created_at: res.body.created_at });
    expect(events[0].id).toMatch(/^evt_[0-9a-z]{26}$/);
    expect(events[0].data).toEqual({ object: res.body });
    expect(await published([acc])).toEqual([{ id: events[0].id, type: "transaction.created", user_id: u.id }]);
    expect((await stub(acc).snapshot()).outbox).toBe(0);
  });

  it("an automatically categorised transaction is told with its category, as the API returns it", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const res = await record(u.token, acc, { amount: -4_599, description: "CB CARREFOUR MARKET 12/03 PARIS" });
    expect(res.body).toMatchObject({ category: "groceries", category_status: "final" });
    const events = await eventsOf(u.id, [acc]);
    expect(events.map((e) => e.data)).toEqual([{ object: res.body }]);
  });

  it("categorised after the answer (Prefer: respond-async): the event waits for the category, then comes once", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const res = await record(
      u.token,
      acc,
      { amount: -4_599, description: "CB CARREFOUR MARKET 12/03 PARIS" },
      { headers: { prefer: "respond-async" } },
    );
    expect(res.body).toMatchObject({ category: "other", category_status: "pending" });
    const events = await vi.waitFor(
      async () => {
        const rows = await eventsOf(u.id, [acc]);
        if (!rows.length) throw new Error("no event yet");
        return rows;
      },
      { timeout: 10_000, interval: 50 },
    );
    const shown = (await api(`/v1/transactions/${res.body.id}`, { token: u.token })).body;
    expect(shown).toMatchObject({ category: "groceries", category_status: "final" });
    expect(events.map((e) => [e.type, e.data])).toEqual([["transaction.created", { object: shown }]]);
    // A later change of category is no new transaction.created.
    await api(`/v1/transactions/${res.body.id}`, { method: "PATCH", token: u.token, json: { category: "dining" } });
    expect((await eventsOf(u.id, [acc])).map((e) => e.id)).toEqual([events[0].id]);
  });

  it("a payment between two users: each gets their transaction.created and their payment.completed, nothing of the other's", async () => {
    const payer = await createUser();
    const payee = await createUser();
    const src = await createAccount(payer.id);
    const dst = await createAccount(payee.id);
    await record(payer.token, src, { amount: 10_000, description: "top up", category: "income" });
    const p = await pay(payer.token, {
      source_account_id: src,
      destination_account_id: dst,
      amount: 2_500,
      currency: "EUR",
      description: "rent",
    });
    expect(p.status).toBe(201);
    const mine = await eventsOf(payer.id, [src, dst]);
    const theirs = await eventsOf(payee.id, [src, dst]);
    expect(types(mine)).toEqual(["payment.completed", "transaction.created", "transaction.created"]);
    expect(types(theirs)).toEqual(["payment.completed", "transaction.created"]);
    const completed = (rows: typeof mine) => rows.find((r) => r.type === "payment.completed")!;
    expect(completed(mine).data.object).toEqual(p.body);
    expect(completed(theirs).data.object).toEqual(p.body);
    expect(completed(mine).id).not.toBe(completed(theirs).id);
    const legs = (rows: typeof mine) => rows.filter((r) => r.type === "transaction.created" && r.data.object.payment_id === p.body.id);
    expect(legs(mine).map((r) => r.data.object)).toMatchObject([{ account_id: src, amount: -2_500 }]);
    expect(legs(theirs).map((r) => r.data.object)).toMatchObject([{ account_id: dst, amount: 2_500 }]);
    // What the objects published is exactly what D1 holds.
    expect((await published([src, dst])).map((e) => e.id).sort()).toEqual([...mine, ...theirs].map((e) => e.id).sort());
  });

  it("a payment between two accounts of one user is one payment.completed for that user", async () => {
    const u = await createUser();
    const a = await createAccount(u.id);
    const b = await createAccount(u.id);
    await record(u.token, a, { amount: 5_000, description: "top up", category: "income" });
    const p = await pay(u.token, { source_account_id: a, destination_account_id: b, amount: 1_000, currency: "EUR" });
    expect(p.status).toBe(201);
    expect(types(await eventsOf(u.id, [a, b]))).toEqual([
      "payment.completed",
      "transaction.created",
      "transaction.created",
      "transaction.created",
    ]);
  });

  it("a request refused up front records nothing and emits nothing", async () => {
    const payer = await createUser();
    const payee = await createUser();
    const src = await createAccount(payer.id);
    const dst = await createAccount(payee.id);
    const poor = await pay(payer.token, { source_account_id: src, destination_account_id: dst, amount: 1, currency: "EUR" });
    expect(poor.body.code).toBe("insufficient_funds");
    const overdrawn = await record(payer.token, src, { amount: -1, description: "coffee", category: "dining" });
    expect(overdrawn.body.code).toBe("insufficient_funds");
    const wrong = await pay(payer.token, { source_account_id: src, destination_account_id: dst, amount: 1, currency: "USD" });
    expect(wrong.status).toBe(422);
    expect(await eventsOf(payer.id, [src, dst])).toEqual([]);
    expect(await eventsOf(payee.id, [src, dst])).toEqual([]);
    expect(await published([src, dst])).toEqual([]);
  });

  it("a payment the destination refuses after acceptance is one payment.failed for the payer, and no money event", async () => {
    const payer = await createUser();
    const src = await createAccount(payer.id);
    const dst = await createAccount(payer.id, { currency: "USD" });
    await record(payer.token, src, { amount: 3_000, description: "top up", category: "income" });
    const p = await pay(payer.token, { source_account_id: src, destination_account_id: dst, amount: 1_000, currency: "EUR" });
    expect(p.body.code).toBe("currency_mismatch");
    const events = await eventsOf(payer.id, [src, dst]);
    expect(types(events)).toEqual(["payment.failed", "transaction.created"]);
    expect(events.find((e) => e.type === "payment.failed")!.data.object).toMatchObject({
      status: "failed",
      source_account_id: src,
      destination_account_id: dst,
      amount: 1_000,
      failure_code: "currency_mismatch",
    });
  });

  it("reversals and imports are transaction.created too, one per entry", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const t = await record(u.token, acc, { amount: 700, description: "refund", category: "income" });
    expect((await api(`/v1/transactions/${t.body.id}/reverse`, { method: "POST", token: u.token })).status).toBe(201);
    const imp = await api(`/v1/accounts/${acc}/imports`, {
      method: "POST",
      token: u.token,
      body: "date,amount,description\n2026-01-02,1.00,a\n2026-01-03,2.00,b\n",
      headers: { "content-type": "text/csv" },
    });
    expect(imp.body.imported).toBe(2);
    expect(types(await eventsOf(u.id, [acc]))).toEqual(Array(4).fill("transaction.created"));
  });

  it("the event outlives a reset between the entry and its projection: the alarm stores and publishes it once", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    await stub(acc).injectFault("flush_reset", 1);
    const res = await record(u.token, acc, { amount: 4_200, description: "written, then reset", category: "income" });
    expect(res.status).not.toBe(201);
    expect((await stub(acc).snapshot()).entries).toHaveLength(1);
    expect(await published([acc])).toEqual([]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM events WHERE user_id = ?").bind(u.id).first<{ n: number }>())!.n).toBe(0);

    await evictDurableObject(stub(acc));
    expect(await runDurableObjectAlarm(stub(acc))).toBe(true);
    const events = await eventsOf(u.id, [acc]);
    expect(events.map((e) => e.data.object.description)).toEqual(["written, then reset"]);
    expect(await published([acc])).toEqual([{ id: events[0].id, type: "transaction.created", user_id: u.id }]);
    expect((await stub(acc).snapshot()).outbox).toBe(0);
  });

  it("with the events queue down, the rows stay in the outbox and the alarm publishes them later (same id, stored once)", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    await stub(acc).injectFault("queue_down", 1);
    expect((await record(u.token, acc, { amount: 100, description: "queued later", category: "income" })).status).toBe(201);
    const snap = await stub(acc).snapshot();
    expect(snap.outbox).toBeGreaterThan(0);
    expect(await published([acc])).toEqual([]);
    // D1 already had the batch: the resend stores the event once.
    expect(await runDurableObjectAlarm(stub(acc))).toBe(true);
    const events = await eventsOf(u.id, [acc]);
    expect(events).toHaveLength(1);
    expect(await published([acc])).toEqual([{ id: events[0].id, type: "transaction.created", user_id: u.id }]);
    expect((await stub(acc).snapshot()).outbox).toBe(0);
  });

  it("concurrent payments from one account: one payment.completed per payment and user, no duplicates", async () => {
    const payer = await createUser();
    const payee = await createUser();
    const src = await createAccount(payer.id);
    const dst = await createAccount(payee.id);
    await record(payer.token, src, { amount: 10_000, description: "top up", category: "income" });
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        pay(payer.token, { source_account_id: src, destination_account_id: dst, amount: 1_000, currency: "EUR" }),
      ),
    );
    const ok = results.filter((r) => r.status === 201).map((r) => r.body.id as string);
    expect(ok).toHaveLength(10);
    for (const [user, n] of [
      [payer.id, 11],
      [payee.id, 10],
    ] as const) {
      const events = await eventsOf(user, [src, dst]);
      expect(events.filter((e) => e.type === "transaction.created")).toHaveLength(n);
      expect(
        events
          .filter((e) => e.type === "payment.completed")
          .map((e) => e.data.object.id)
          .sort(),
      ).toEqual([...ok].sort());
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    }
  });
});
