// Accounts, categories, budgets and reports over real HTTP against the whole local stack, as a client
// would use them: a token from POST /v1/auth/register, then the finance endpoints.
// Income is recorded through POST /v1/accounts/{id}/transactions.
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, register } from "./helpers";

let alice = "";
let bob = "";
const post = (path: string, json: unknown, token = alice) => call(path, { method: "POST", json, token });
const get = (path: string, token = alice) => call(path, { token });

beforeAll(async () => {
  alice = await register("alice");
  bob = await register("bob");
});

describe("accounts over HTTP", () => {
  it("creates accounts and lists them newest first across pages", async () => {
    const ids: string[] = [];
    for (const [i, type] of (["checking", "savings", "credit_card", "cash", "investment", "loan"] as const).entries()) {
      const res = await post("/v1/accounts", {
        name: `Account ${i}`,
        type,
        currency: "EUR",
        overdraft_limit: type === "credit_card" ? null : 0,
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ type, currency: "EUR", status: "open", balance: { current: 0, pending: 0 } });
      ids.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof call>> = await get(
        `/v1/accounts?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((a: { id: string }) => a.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it("accepts unicode names", async () => {
    const res = await post("/v1/accounts", { name: "Épargne 🐷 貯金", type: "savings", currency: "JPY" });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe("Épargne 🐷 貯金");
  });

  it("hides one user's accounts from another (404, never 403)", async () => {
    const acc = (await post("/v1/accounts", { name: "Private", type: "checking", currency: "EUR" })).body;
    expectProblem(await get(`/v1/accounts/${acc.id}`, bob), 404, "not_found");
    expectProblem(await call(`/v1/accounts/${acc.id}`, { method: "PATCH", json: { name: "Mine now" }, token: bob }), 404, "not_found");
    expectProblem(await post(`/v1/accounts/${acc.id}/close`, undefined, bob), 404, "not_found");
    expect((await get("/v1/accounts", bob)).body.data.map((a: { id: string }) => a.id)).not.toContain(acc.id);
    expect((await get(`/v1/accounts/${acc.id}`)).body.name).toBe("Private");
  });

  it("rejects bad input with 4xx problem+json and stores nothing", async () => {
    const before = (await get("/v1/accounts?limit=100")).body.data.length;
    const good = { name: "Bad", type: "checking", currency: "EUR" };
    const bad: [unknown, string][] = [
      [{ ...good, overdraft_limit: 0.5 }, "overdraft_limit"],
      [{ ...good, overdraft_limit: 1e300 }, "overdraft_limit"],
      [{ ...good, overdraft_limit: 10 ** 17 }, "overdraft_limit"],
      [{ ...good, type: "bitcoin" }, "type"],
      [{ ...good, currency: "eur" }, "currency"],
      [{ ...good, sneaky: true }, "sneaky"],
      [{ ...good, name: 42 }, "name"],
    ];
    for (const [json, path] of bad) {
      const p = expectProblem(await post("/v1/accounts", json), 422, "validation_failed");
      expect(p.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expectProblem(
      await call("/v1/accounts", { method: "POST", body: "{", headers: { "content-type": "application/json" }, token: alice }),
      400,
      "validation_failed",
    );
    expectProblem(await get("/v1/accounts?limit=1000"), 400, "validation_failed");
    expect((await get("/v1/accounts?limit=100")).body.data.length).toBe(before);
  });

  it("renames only the name", async () => {
    const acc = (await post("/v1/accounts", { name: "Before", type: "cash", currency: "EUR" })).body;
    const ok = await call(`/v1/accounts/${acc.id}`, { method: "PATCH", json: { name: "After" }, token: alice });
    expect(ok.status).toBe(200);
    expect(ok.body.name).toBe("After");
    expectProblem(
      await call(`/v1/accounts/${acc.id}`, { method: "PATCH", json: { currency: "USD" }, token: alice }),
      422,
      "validation_failed",
    );
  });

  it("closes an empty account, and refuses (409) while money is in it", async () => {
    const empty = (await post("/v1/accounts", { name: "Empty", type: "cash", currency: "EUR" })).body;
    const closed = await post(`/v1/accounts/${empty.id}/close`, undefined);
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe("closed");

    const busy = (await post("/v1/accounts", { name: "Busy", type: "checking", currency: "EUR" })).body;
    const income = await post(`/v1/accounts/${busy.id}/transactions`, { amount: 10_000, description: "Salary" });
    expect(income.status, income.text).toBe(201);
    expectProblem(await post(`/v1/accounts/${busy.id}/close`, undefined), 409, "conflict");
    const after = await get(`/v1/accounts/${busy.id}`);
    expect(after.body).toMatchObject({ status: "open", balance: { current: 10_000, available: 10_000 } });
  });
});

describe("categories, budgets and reports over HTTP", () => {
  it("lists the taxonomy, adds a category and a rule", async () => {
    const cats = await get("/v1/categories");
    expect(cats.status).toBe(200);
    expect(cats.body.data.filter((c: { custom: boolean }) => !c.custom)).toHaveLength(19);
    expect((await post("/v1/categories", { name: "Coffee", parent: "dining" })).status).toBe(201);
    expectProblem(await post("/v1/categories", { name: "coffee", parent: "dining" }), 409, "conflict");
    const rule = await post("/v1/categories/rules", { contains: "STARBUCKS", category: "Coffee" });
    expect(rule.status).toBe(201);
    expect(rule.body.contains).toBe("starbucks");
    expect((await get("/v1/categories/rules")).body.data[0].id).toBe(rule.body.id);
  });

  it("tracks a budget and a summary from recorded transactions", async () => {
    const acc = (await post("/v1/accounts", { name: "Spending", type: "checking", currency: "USD", overdraft_limit: null })).body;
    const budget = await post("/v1/budgets", { category: "groceries", amount: 50_000, currency: "USD", period: "month" });
    expect(budget.status, budget.text).toBe(201);
    expect(budget.body).toMatchObject({ spent: 0, remaining: 50_000 });
    expectProblem(await post("/v1/budgets", { category: "groceries", amount: 1, currency: "USD", period: "month" }), 409, "conflict");
    expectProblem(
      await post("/v1/budgets", { category: "groceries", amount: 1.5, currency: "USD", period: "month" }),
      422,
      "validation_failed",
    );

    const spend = await post(`/v1/accounts/${acc.id}/transactions`, { amount: -12_345, description: "Supermarket", category: "groceries" });
    expect(spend.status, spend.text).toBe(201);
    // the projection is written by the ledger's outbox: allow it a moment
    let spent = 0;
    for (let i = 0; i < 50 && spent !== 12_345; i++) {
      spent = (await get(`/v1/budgets/${budget.body.id}`)).body.spent;
      if (spent !== 12_345) await new Promise((r) => setTimeout(r, 100));
    }
    expect(spent).toBe(12_345);
    const summary = await get("/v1/reports/summary?currency=USD");
    expect(summary.body).toMatchObject({ expenses: 12_345, income: 0, net: -12_345 });
    const flow = await get("/v1/reports/cashflow?currency=USD&interval=month");
    expect(flow.body.series).toHaveLength(12);
    expect(flow.body.series.at(-1)).toMatchObject({ expenses: 12_345 });
  });

  it("answers 400 to bad report dates", async () => {
    expectProblem(await get("/v1/reports/summary?from=2025-02-30"), 400, "validation_failed");
    expectProblem(await get("/v1/reports/cashflow?from=2025-06-01&to=2025-01-01"), 400, "validation_failed");
  });
});
