// The events derived in the events queue's consumer, run on the real D1 projection with a stand-in
// for the ai worker's scorer: anomaly.detected when it says so, none for a transfer between the
// user's own accounts, budget.exceeded once per budget and month, none for a deleted user.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ledgerStub, type EventRecord, type ScoreTransactionInput } from "#core";
import { derivedEvents } from "../../workers/webhooks/src/derived";
import type { Env } from "../../workers/webhooks/src/env";
import { api, createAccount, createUser } from "./support";

const stub = (id: string) => ledgerStub<any>(env.LEDGER as unknown as DurableObjectNamespace, id);

/** The webhooks worker's env with a scorer that calls every outflow of `anomalous` amounts unusual. */
function webhooksEnv(anomalous: (input: ScoreTransactionInput) => boolean, asked: ScoreTransactionInput[] = [], calls: number[] = []) {
  return {
    DB: env.DB,
    AI_SERVICE: {
      scoreTransactions: async (inputs: ScoreTransactionInput[]) => {
        calls.push(inputs.length);
        asked.push(...inputs);
        return inputs.map((input) => ({
          transaction_id: input.transaction_id,
          score: 9.1,
          reason: "9.1× your usual spend",
          anomalous: anomalous(input),
        }));
      },
    },
  } as unknown as Env;
}

/** The transaction.created events of an account, once its drain has run. */
async function createdEvents(account: string): Promise<EventRecord[]> {
  await stub(account).snapshot();
  const rows = (
    await env.DB.prepare(
      "SELECT * FROM events WHERE type = 'transaction.created' AND json_extract(data, '$.object.account_id') = ? ORDER BY created_at, id",
    )
      .bind(account)
      .all<any>()
  ).results;
  return rows.map((r) => ({ id: r.id, type: r.type, user_id: r.user_id, created_at: r.created_at, data: JSON.parse(r.data) }));
}
const record = (token: string, account: string, amount: number, category: string, description = "x") =>
  api(`/v1/accounts/${account}/transactions`, { method: "POST", token, json: { amount, description, category } });

describe("derived events", () => {
  it("anomaly.detected for an outflow the scorer finds unusual, stored in D1 once however often it is derived", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    await record(u.token, acc, 10_000, "income");
    const spend = await record(u.token, acc, -4_200, "shopping", "TV");
    const [, outflow] = await createdEvents(acc);
    const e = webhooksEnv(() => true);
    const [found] = await derivedEvents(e, [outflow]);
    expect(found).toMatchObject({
      type: "anomaly.detected",
      user_id: u.id,
      created_at: spend.body.created_at,
      data: { object: { transaction_id: spend.body.id, account_id: acc, score: 9.1, reason: "9.1× your usual spend" } },
    });
    expect((await derivedEvents(e, [outflow])).map((d) => d.id)).toEqual([found.id]);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE type = 'anomaly.detected' AND user_id = ?")
      .bind(u.id)
      .first<any>();
    expect(stored.n).toBe(1);
    expect(
      await derivedEvents(
        webhooksEnv(() => false),
        [outflow],
      ),
    ).toEqual([]);
  });

  it("inflows and transfers between one's own accounts are not scored", async () => {
    const u = await createUser();
    const a = await createAccount(u.id);
    const b = await createAccount(u.id);
    await record(u.token, a, 10_000, "income");
    const p = await api("/v1/payments", {
      method: "POST",
      token: u.token,
      json: { source_account_id: a, destination_account_id: b, amount: 500, currency: "EUR" },
      idempotencyKey: crypto.randomUUID(),
    });
    expect(p.status).toBe(201);
    const asked: ScoreTransactionInput[] = [];
    const e = webhooksEnv(() => true, asked);
    for (const ev of [...(await createdEvents(a)), ...(await createdEvents(b))]) expect(await derivedEvents(e, [ev])).toEqual([]);
    expect(asked).toEqual([]);
  });

  it("budget.exceeded once, for the outflow that takes the month's budget over, with its spent and remaining", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const budget = await api("/v1/budgets", {
      method: "POST",
      token: u.token,
      json: { category: "groceries", amount: 1_000, currency: "EUR" },
    });
    expect(budget.status, budget.text).toBe(201);
    await record(u.token, acc, 10_000, "income");
    for (let i = 0; i < 3; i++) await record(u.token, acc, -600, "groceries");
    await record(u.token, acc, -5_000, "dining");
    const events = (await createdEvents(acc)).slice(1);
    const e = webhooksEnv(() => false);
    // Whatever the order the events are handled in, only the second outflow crosses.
    const derived: EventRecord[] = [];
    for (const ev of [...events].reverse()) derived.push(...(await derivedEvents(e, [ev])));
    for (const ev of events) derived.push(...(await derivedEvents(e, [ev])));
    expect(derived.map((d) => d.type)).toEqual(["budget.exceeded", "budget.exceeded"]);
    expect(derived[0].id).toBe(derived[1].id);
    expect(derived[0].data.object).toMatchObject({
      id: budget.body.id,
      spent: 1_200,
      remaining: -200,
      transaction_id: (events[1].data.object as { id: string }).id,
      period_start: budget.body.period_start,
      period_end: budget.body.period_end,
    });
  });

  it("a batch of outflows from several users and accounts is judged at once: one scoring call, the same events as one by one", async () => {
    const users = [await createUser(), await createUser()];
    const outflows: EventRecord[] = [];
    for (const u of users)
      for (let k = 0; k < 2; k++) {
        const acc = await createAccount(u.id);
        await record(u.token, acc, 10_000, "income");
        await record(u.token, acc, -300 - k, "shopping");
        await record(u.token, acc, -700 - k, "shopping");
        outflows.push(...(await createdEvents(acc)).slice(1));
      }
    const unusual = (input: ScoreTransactionInput) =>
      outflows.findIndex((o) => (o.data.object as { id: string }).id === input.transaction_id) % 3 === 0;
    const calls: number[] = [];
    const asked: ScoreTransactionInput[] = [];
    const together = await derivedEvents(webhooksEnv(unusual, asked, calls), outflows);
    expect(calls).toEqual([outflows.length]);
    expect(asked.map((a) => a.transaction_id)).toEqual(outflows.map((o) => (o.data.object as { id: string }).id));
    const oneByOne: EventRecord[] = [];
    for (const o of outflows) oneByOne.push(...(await derivedEvents(webhooksEnv(unusual), [o])));
    expect(together.map((d) => d.id)).toEqual(oneByOne.map((d) => d.id));
    expect(together.map((d) => (d.data.object as { transaction_id: string }).transaction_id)).toEqual(
      outflows.filter((_, i) => i % 3 === 0).map((o) => (o.data.object as { id: string }).id),
    );
    expect(together.every((d, i) => d.user_id === oneByOne[i].user_id && d.type === "anomaly.detected")).toBe(true);
  });

  it("a deleted user gets no derived event", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    await record(u.token, acc, 10_000, "income");
    await record(u.token, acc, -100, "shopping");
    const [, outflow] = await createdEvents(acc);
    await env.DB.prepare("UPDATE users SET status = 'deleted' WHERE id = ?").bind(u.id).run();
    expect(
      await derivedEvents(
        webhooksEnv(() => true),
        [outflow],
      ),
    ).toEqual([]);
  });
});

describe("imported statements", () => {
  it("are not checked row by row: no score asked, no budget event", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    await api("/v1/budgets", { method: "POST", token: u.token, json: { category: "groceries", amount: 100, currency: "EUR" } });
    await record(u.token, acc, 10_000, "income");
    const today = new Date().toISOString().slice(0, 10);
    const imp = await api(`/v1/accounts/${acc}/imports`, {
      method: "POST",
      token: u.token,
      body: `date,amount,description,category\n${today},-5.00,market,groceries\n${today},-6.00,market,groceries\n`,
      headers: { "content-type": "text/csv" },
    });
    expect(imp.body.imported).toBe(2);
    const asked: ScoreTransactionInput[] = [];
    const e = webhooksEnv(() => true, asked);
    const rows = (await createdEvents(acc)).slice(1);
    expect(rows).toHaveLength(2);
    for (const ev of rows) expect(await derivedEvents(e, [ev])).toEqual([]);
    expect(asked).toEqual([]);
  });
});
