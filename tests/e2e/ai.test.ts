// AI endpoints over real HTTP through the gateway of the real multi-worker `wrangler dev`: a registered
// user, an account, a history recorded through the ledger API (single transactions and a CSV import),
// then every AI endpoint, including bad input (problem+json).
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM module shared with the AI bench
import { day, historyCsv } from "../shared/history-csv.mjs";
import { call, expectProblem, register } from "./helpers";

let token = "";
let account = "";
const post = (path: string, json: unknown, t: string | null = token) => call(path, { method: "POST", json, token: t ?? undefined });
const get = (path: string, t: string | null = token) => call(path, { token: t ?? undefined });

const today = () => new Date().toISOString().slice(0, 10);

/** ~14 months of history ending yesterday, as a CSV import, with a large grocery bill on its last day. */
function csv(): string {
  const end = day(today(), -1);
  return `${historyCsv(day(today(), -420), end)}${end},-480.00,CB CARREFOUR MARKET PARIS 15,groceries\n`;
}

/** The ledger projects entries to D1 asynchronously (outbox): wait until the forecast sees them. */
async function waitForProjection(accountId: string, min: number) {
  for (let i = 0; i < 100; i++) {
    const res = await get(`/v1/accounts/${accountId}/transactions?limit=100`);
    if (res.status === 200 && res.body.data.length >= Math.min(min, 100)) {
      const f = await get(`/v1/ai/forecast?account_id=${accountId}&horizon=1`);
      if (f.status === 200) return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the D1 projection never caught up");
}

describe("AI over real HTTP", () => {
  beforeAll(async () => {
    token = await register("main");
    const acc = await post("/v1/accounts", { name: "Main", type: "checking", currency: "EUR", overdraft_limit: null });
    if (acc.status !== 201) throw new Error(`account: ${acc.status} ${acc.text}`);
    account = acc.body.id;
    const imp = await call(`/v1/accounts/${account}/imports`, {
      method: "POST",
      token,
      body: csv(),
      headers: { "content-type": "text/csv" },
    });
    if (imp.status !== 201 || imp.body.failed) throw new Error(`import: ${imp.status} ${imp.text.slice(0, 300)}`);
    const rec = await post(`/v1/accounts/${account}/transactions`, {
      amount: -4_599,
      description: "CB MONOPRIX 0423 PARIS",
      occurred_at: day(today(), -1),
    });
    if (rec.status !== 201) throw new Error(`record: ${rec.status} ${rec.text}`);
    await waitForProjection(account, imp.body.imported + 1);
  });

  it("categorises lines, and a transaction recorded without a category got one from the model", async () => {
    const res = await post("/v1/ai/categorize", {
      transactions: [
        { description: "VIR SEPA SALAIRE ACME SAS", amount: 250_000 },
        { description: "CB CARREFOUR MARKET 12/03 PARIS", amount: -4_250 },
        { description: "NETFLIX.COM", amount: -1_399 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.data.map((d: { category: string }) => d.category)).toEqual(["income", "groceries", "subscriptions"]);
    expect(res.body.data.map((d: { source: string }) => d.source)).toEqual(["rule", "model", "model"]);
    const list = await get(`/v1/accounts/${account}/transactions?q=MONOPRIX`);
    expect(list.body.data[0].category).toBe("groceries");
  });

  it("refuses empty and oversized lists and unknown fields", async () => {
    expectProblem(await post("/v1/ai/categorize", { transactions: [] }), 422, "validation_failed");
    expectProblem(
      await post("/v1/ai/categorize", { transactions: Array(501).fill({ description: "x", amount: -1 }) }),
      422,
      "validation_failed",
    );
    expectProblem(
      await post("/v1/ai/categorize", { transactions: [{ description: "x", amount: -1 }], extra: true }),
      422,
      "validation_failed",
    );
    expectProblem(await post("/v1/ai/categorize", { transactions: [{ description: "x", amount: -1 }] }, null), 401, "unauthorized");
  });

  it("forecasts 90 days with an interval and a backtest", async () => {
    const res = await get(`/v1/ai/forecast?account_id=${account}&horizon=90`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ account_id: account, currency: "EUR", as_of: today(), method: "robust-seasonal-decomposition" });
    expect(res.body.points).toHaveLength(90);
    for (const p of res.body.points) expect(p.lower <= p.balance && p.balance <= p.upper).toBe(true);
    expect(res.body.backtest.mase).toBeLessThan(res.body.backtest.baseline_mase);
  });

  it("refuses bad horizons, foreign accounts and accounts with no history", async () => {
    expectProblem(await get(`/v1/ai/forecast?account_id=${account}&horizon=0`), 400, "validation_failed");
    expectProblem(await get(`/v1/ai/forecast?account_id=${account}&horizon=366`), 400, "validation_failed");
    const other = await register("other");
    expectProblem(await get(`/v1/ai/forecast?account_id=${account}`, other), 404, "not_found");
    expectProblem(await get(`/v1/ai/anomalies?account_id=${account}`, other), 404, "not_found");
    const empty = await post("/v1/accounts", { name: "Empty", type: "savings", currency: "EUR" });
    expectProblem(await get(`/v1/ai/forecast?account_id=${empty.body.id}`), 422, "validation_failed");
  });

  it("flags the outlier and finds the subscription", async () => {
    const anomalies = await get(`/v1/ai/anomalies?account_id=${account}&from=${day(today(), -30)}`);
    expect(anomalies.status).toBe(200);
    expect(anomalies.body.data[0].reason).toMatch(/CARREFOUR/);
    const recs = await get("/v1/ai/recommendations");
    expect(recs.status).toBe(200);
    const sub = recs.body.data.find((r: { type: string; title: string }) => r.type === "subscription" && /NETFLIX/.test(r.title));
    expect(sub?.estimated_monthly_impact).toBe(1_399);
    expect(sub.evidence.length).toBeGreaterThan(0);
  });

  it("optimises tax with savings that match the income-tax endpoint", async () => {
    const body = { jurisdiction: "FR", income_year: 2025, filing_status: "single", dependents: 0, income: { salaries: [6_000_000] } };
    const res = await post("/v1/ai/tax-optimization", { ...body, cash_available: 500_000 });
    expect(res.status).toBe(200);
    const base = await post("/v1/tax/income-tax", body);
    expect(res.body.baseline_tax).toBe(base.body.tax);
    const per = res.body.suggestions.find((s: { kind: string }) => s.kind === "fr_per_contribution");
    const after = await post("/v1/tax/income-tax", { ...body, income: { taxable_income: base.body.taxable_income - per.amount } });
    expect(per.tax_after).toBe(after.body.tax);
    expect(per.tax_saving).toBe(base.body.tax - after.body.tax);
    expectProblem(await post("/v1/ai/tax-optimization", { ...body, bogus: 1 }), 422, "validation_failed");
  });
});
