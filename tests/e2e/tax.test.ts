// Tax endpoints over real HTTP through the gateway of the real multi-worker `wrangler dev`, with a user
// token from POST /v1/auth/register. The last test writes transactions through the ledger
// API and waits for the D1 projection the report reads.
import { beforeAll, describe, expect, it } from "vitest";
import { FR_SINGLE_2024, FR_SINGLE_2024_TAX, US_SINGLE_2025, US_SINGLE_2025_TAX } from "../shared/households";
import { call, expectProblem, register } from "./helpers";

let token = "";
/** `t`: the bearer token; `null` sends none. */
const post = (path: string, json: unknown, t: string | null = token) => call(path, { method: "POST", json, token: t ?? undefined });
const get = (path: string, t: string | null = token) => call(path, { token: t ?? undefined });
const paths = (problem: { errors?: { path: string }[] }) => (problem.errors ?? []).map((e) => e.path);
/** The fields a refused VAT request names (it must be 422 validation_failed). */
const vatRefused = async (body: unknown) => paths(expectProblem(await post("/v1/tax/vat", body), 422, "validation_failed"));

describe("tax over real HTTP", () => {
  beforeAll(async () => {
    token = await register("main");
  });

  it("lists FR and US with their income years", async () => {
    const res = await get("/v1/tax/jurisdictions");
    expect(res.status).toBe(200);
    expect(res.body.map((j: { code: string; currency: string; income_years: number[] }) => [j.code, j.currency, j.income_years])).toEqual([
      ["FR", "EUR", [2024, 2025]],
      ["US", "USD", [2024, 2025]],
    ]);
  });

  it("FR single, revenus 2024, 30 000 € net imposable → 2 165 € (service-public.fr F1419 example)", async () => {
    const res = await post("/v1/tax/income-tax", FR_SINGLE_2024);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(FR_SINGLE_2024_TAX);
    expect(res.body.sources.length).toBeGreaterThan(0);
  });

  it("FR couple with two children, revenus 2024, 200 000 €: the family-quotient ceiling binds → 46 308 €", async () => {
    const res = await post("/v1/tax/income-tax", {
      jurisdiction: "FR",
      income_year: 2024,
      filing_status: "married",
      dependents: 2,
      income: { taxable_income: 20_000_000 },
    });
    expect(res.body).toMatchObject({ parts: 3, tax_before_credits: 4_630_790, tax: 4_630_800, marginal_rate: 0.41 });
  });

  it("US single 2025, wages $100 000 → taxable income $100 000 − $15 750, tax $13 449", async () => {
    const res = await post("/v1/tax/income-tax", { ...US_SINGLE_2025, dependents: 0 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(US_SINGLE_2025_TAX);
  });

  it("VAT: 120,00 € gross at the FR standard rate is 100,00 € + 20,00 €", async () => {
    const res = await post("/v1/tax/vat", {
      country: "FR",
      rate: "standard",
      amount: 12_000,
      amount_includes_vat: true,
      date: "2025-06-30",
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ net: 10_000, vat: 2_000, gross: 12_000, rate_bps: 2_000 });
  });

  it.each([
    ["unknown jurisdiction", { ...FR_SINGLE_2024, jurisdiction: "XX" }, "jurisdiction"],
    ["unknown income year", { ...FR_SINGLE_2024, income_year: 2019 }, "income_year"],
    ["US filing status in FR", { ...FR_SINGLE_2024, filing_status: "head_of_household" }, "filing_status"],
    ["float amount", { ...FR_SINGLE_2024, income: { taxable_income: 1234.5 } }, "income.taxable_income"],
    ["amount past 10^13", { ...FR_SINGLE_2024, income: { taxable_income: 10_000_000_000_001 } }, "income.taxable_income"],
    ["negative amount", { ...FR_SINGLE_2024, income: { taxable_income: -100 } }, "income.taxable_income"],
    ["unknown field", { ...FR_SINGLE_2024, tip: 1 }, "tip"],
  ])("income-tax with %s → 422 validation_failed naming the field", async (_name, body, field) => {
    const problem = expectProblem(await post("/v1/tax/income-tax", body), 422, "validation_failed");
    expect(paths(problem)).toEqual([field]);
  });

  it("VAT with an unknown country or a float amount → 422", async () => {
    expect(await vatRefused({ country: "ZZ", rate: "standard", amount: 100, amount_includes_vat: false })).toEqual(["country"]);
    expect(await vatRefused({ country: "DE", rate: "standard", amount: 0.5, amount_includes_vat: false })).toEqual(["amount"]);
  });

  it("malformed JSON → 400; no token → 401; a garbage token → 401", async () => {
    const bad = await call("/v1/tax/income-tax", { method: "POST", body: "{", headers: { "content-type": "application/json" }, token });
    expectProblem(bad, 400, "validation_failed");
    expectProblem(await get("/v1/tax/jurisdictions", null), 401, "unauthorized");
    expectProblem(await post("/v1/tax/income-tax", FR_SINGLE_2024, null), 401, "unauthorized");
    expectProblem(await get("/v1/tax/report?jurisdiction=FR&income_year=2024", "not-a-jwt"), 401, "unauthorized");
  });

  it("report: bad query → 400 naming the parameter; no transactions → an empty report", async () => {
    expect(paths(expectProblem(await get("/v1/tax/report?jurisdiction=DE&income_year=2024"), 400, "validation_failed"))).toEqual([
      "jurisdiction",
    ]);
    expect(paths(expectProblem(await get("/v1/tax/report?jurisdiction=US&income_year=1999"), 400, "validation_failed"))).toEqual([
      "income_year",
    ]);
    const res = await get("/v1/tax/report?jurisdiction=FR&income_year=2025");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ currency: "EUR", income: { total: 0 }, deductible_items: [], vat_paid: null, estimate: { tax: 0 } });
  });

  it("documents the tax routes in /openapi.json", async () => {
    const doc = (await call("/openapi.json")).body;
    for (const p of ["/v1/tax/jurisdictions", "/v1/tax/income-tax", "/v1/tax/vat", "/v1/tax/report"]) expect(doc.paths[p]).toBeDefined();
    expect(doc.components.schemas.IncomeTaxResult).toBeDefined();
  });

  it("report from transactions recorded through the ledger API", async () => {
    const t = await register("report");
    const account = await post("/v1/accounts", { name: "Compte courant", type: "checking", currency: "EUR" }, t);
    expect(account.status, account.text).toBe(201);
    const txn = (amount: number, description: string, category: string, occurred_at: string) =>
      post(`/v1/accounts/${account.body.id}/transactions`, { amount, description, category, occurred_at }, t);
    for (const r of [
      await txn(1_500_000, "Salaire janvier", "income", "2024-01-31"),
      await txn(1_500_000, "Salaire décembre", "income", "2024-12-31"),
      await txn(-12_000, "Don Restos du Coeur", "charity", "2024-05-02"),
      await txn(-150_000, "Taxe foncière", "taxes", "2024-10-15"),
    ])
      expect(r.status, r.text).toBe(201);

    // The ledger projects entries to D1 through an outbox: wait for them.
    let report: Awaited<ReturnType<typeof get>> | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      report = await get("/v1/tax/report?jurisdiction=FR&income_year=2024", t);
      if (report.status !== 200 || (report.body.income.transactions === 2 && report.body.taxes_paid.transactions === 1)) break;
    }
    expect(report!.status).toBe(200);
    expect(report!.body).toMatchObject({
      income: { total: 3_000_000, transactions: 2 },
      deductible_total: 12_000,
      taxes_paid: { total: 150_000 },
      vat_paid: null,
      // 30 000 € − 10 % = 27 000 € taxable; 1 705,33 € − décote 117,34 € → 1 588 €.
      estimate: { taxable_income: 2_700_000, tax: 158_800 },
    });
    expect(report!.body.deductible_items).toEqual([
      expect.objectContaining({ description: "Don Restos du Coeur", amount: 12_000, applied_to_estimate: false }),
    ]);
  });
});
