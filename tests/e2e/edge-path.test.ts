// The edge money path over real HTTP against the real multi-worker stack: the domain workers run no D1
// statement before a payment, a categorised transaction or a balance read answers (Server-Timing), a
// client reads its own writes at once, the projection catches up by itself, and the offline ledger
// check agrees after the run.
import { beforeAll, describe, expect, it } from "vitest";
import { call, ledgerCheck, register } from "./helpers";

let alice = "";
let bob = "";
const post = (p: string, json: unknown, token = alice, headers: Record<string, string> = {}) =>
  call(p, { method: "POST", json, token, headers });

/** D1 statements and Durable Object calls reported by the answer's Server-Timing (absent = 0). */
const counts = (res: { headers: Headers }) => {
  const header = res.headers.get("server-timing") ?? "";
  const n = (name: string) => Number(new RegExp(`(?:^|,\\s*)${name};[^,]*desc="(\\d+)"`).exec(header)?.[1] ?? 0);
  return { d1: n("d1"), do: n("do") };
};

async function account(token: string) {
  const res = await post("/v1/accounts", { name: "Main", type: "checking", currency: "EUR" }, token);
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

beforeAll(async () => {
  alice = await register("alice");
  bob = await register("bob");
});

describe("the critical path over HTTP", () => {
  it("runs no D1 statement before a payment, a categorised transaction or a balance read answers", async () => {
    const src = await account(alice);
    const dst = await account(bob);
    const balance = await call(`/v1/accounts/${src}/balance`, { token: alice });
    expect(balance.status).toBe(200);
    const gateway = counts(balance).d1;
    expect(gateway).toBe(0);

    const txn = await post(`/v1/accounts/${src}/transactions`, { amount: 10_000, description: "salary", category: "income" });
    expect(txn.status, txn.text).toBe(201);
    expect(counts(txn).d1).toBe(gateway);

    const paid = await post(
      "/v1/payments",
      { source_account_id: src, destination_account_id: dst, amount: 2_500, currency: "EUR" },
      alice,
      { "Idempotency-Key": crypto.randomUUID() },
    );
    expect(paid.status, paid.text).toBe(201);
    expect(counts(paid).d1).toBe(0);
  });

  it("reads every write at once: 50 concurrent writes, then the list, one by id, the balance, the payment and the payee's side", async () => {
    const src = await account(alice);
    const dst = await account(bob);
    const writes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        post(`/v1/accounts/${src}/transactions`, { amount: 100 + i, description: `write ${i}`, category: "income" }),
      ),
    );
    expect(writes.every((w) => w.status === 201)).toBe(true);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call(
        `/v1/accounts/${src}/transactions?limit=20${cursor ? `&cursor=${cursor}` : ""}`,
        { token: alice },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((t: { id: string }) => t.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(writes.map((w) => w.body.id).sort());
    const last = writes[writes.length - 1].body;
    expect((await call(`/v1/transactions/${last.id}`, { token: alice })).body).toMatchObject({ id: last.id, amount: last.amount });
    const total = writes.reduce((s, w) => s + (w.body.amount as number), 0);
    expect((await call(`/v1/accounts/${src}/balance`, { token: alice })).body).toMatchObject({ current: total, version: 50 });

    const paid = await post(
      "/v1/payments",
      { source_account_id: src, destination_account_id: dst, amount: 700, currency: "EUR", description: "share" },
      alice,
      { "Idempotency-Key": crypto.randomUUID() },
    );
    expect(paid.status).toBe(201);
    // The payer reads the payment by id at once, from the source's object while D1 does not have it yet.
    const byId = await call(`/v1/payments/${paid.body.id}`, { token: alice });
    expect([byId.status, byId.body]).toEqual([200, paid.body]);
    const theirs = await call(`/v1/accounts/${dst}/transactions`, { token: bob });
    expect(theirs.body.data[0]).toMatchObject({ amount: 700, payment_id: paid.body.id });
    expect((await call(`/v1/accounts/${dst}/balance`, { token: bob })).body.current).toBe(700);
    // Strangers still see nothing.
    for (const p of [`/v1/accounts/${src}/transactions`, `/v1/transactions/${last.id}`, `/v1/accounts/${src}/balance`])
      expect((await call(p, { token: bob })).status, p).toBe(404);
  });

  it("projects within a second: the payment list and the account list catch up without any further write", async () => {
    const src = await account(alice);
    const dst = await account(bob);
    await post(`/v1/accounts/${src}/transactions`, { amount: 5_000, description: "top up", category: "income" });
    const paid = await post(
      "/v1/payments",
      { source_account_id: src, destination_account_id: dst, amount: 1_200, currency: "EUR" },
      alice,
      { "Idempotency-Key": crypto.randomUUID() },
    );
    expect(paid.status).toBe(201);
    const started = Date.now();
    let listed = false;
    let balanced = false;
    while (Date.now() - started < 1_000 && !(listed && balanced)) {
      listed ||= (await call(`/v1/payments/${paid.body.id}`, { token: bob })).status === 200;
      const accounts = (await call("/v1/accounts?limit=100", { token: alice })).body.data as { id: string; balance: { current: number } }[];
      balanced ||= accounts.find((a) => a.id === src)?.balance.current === 3_800;
    }
    expect({ listed, balanced }).toEqual({ listed: true, balanced: true });
  });

  it("answers an uncategorised transaction at once when asked, and fills the category in right after", async () => {
    const acc = await account(alice);
    await post(`/v1/accounts/${acc}/transactions`, { amount: 100_000, description: "opening", category: "income" });
    const res = await post(`/v1/accounts/${acc}/transactions`, { amount: -4_599, description: "CB CARREFOUR MARKET 12/03 PARIS" }, alice, {
      Prefer: "respond-async",
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ category: "other", category_status: "pending" });
    let t = res.body;
    for (let i = 0; i < 100 && t.category_status !== "final"; i++)
      t = (await call(`/v1/transactions/${res.body.id}`, { token: alice })).body;
    expect(t).toMatchObject({ category: "groceries", category_status: "final" });
  });
});

describe("ledger:check after the run", () => {
  it("finds the objects and the projection consistent", async () => {
    await new Promise((r) => setTimeout(r, 500)); // the last projection batches land
    const r = ledgerCheck();
    expect(r.stdout, r.output).toContain("✓ balances");
    expect(r.status).toBe(0);
  });
});
