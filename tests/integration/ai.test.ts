// AI endpoints through the gateway: categorisation, forecast, anomalies, recommendations and tax
// optimisation, with bad input. Long histories are written as a CSV import, and the auto-categorisation
// path through POST /v1/accounts/{id}/transactions: both the real write path into the D1 projection.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "#core";
import { FR_COUPLE_2025 } from "../shared/households";
import { ORIGIN, api, createAccount, createUser, expectProblem, type Answer } from "./support";

type Line = { date: string; amount: number; description: string; category: string };

const day = (d: string, k: number) => new Date(Date.parse(`${d}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10);

/** Two years of a household's account: salary, rent, a subscription, groceries, and one outlier. */
function history(start = "2024-07-01", end = "2026-06-30"): Line[] {
  const out: Line[] = [];
  for (let d = start; d <= end; d = day(d, 1)) {
    const [, , dd] = d.split("-").map(Number);
    const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (dd === 1) out.push({ date: d, amount: 250_000, description: "VIR SEPA SALAIRE ACME SAS", category: "income" });
    if (dd === 3) out.push({ date: d, amount: -90_000, description: "PRLV SEPA LOYER FONCIA", category: "housing" });
    if (dd === 15) out.push({ date: d, amount: -1_399, description: "PRLV SEPA NETFLIX.COM", category: "subscriptions" });
    if (dow === 6)
      out.push({ date: d, amount: -(6_000 + ((dd * 37) % 2_000)), description: "CB CARREFOUR MARKET PARIS 15", category: "groceries" });
  }
  out.push({ date: "2026-06-20", amount: -48_000, description: "CB CARREFOUR MARKET PARIS 15", category: "groceries" });
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

const major = (minor: number) =>
  `${minor < 0 ? "-" : ""}${Math.trunc(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, "0")}`;

/**
 * Writes the lines through the import route, the real write path (it answers once the rows are in the
 * D1 projection the AI worker reads). The account has no overdraft limit, so every line is taken.
 * Returns the entries' ids in line order.
 */
async function seed(token: string, accountId: string, lines: Line[]) {
  const csv = [
    "date,amount,description,category,external_id",
    ...lines.map((l, i) => `${l.date},${major(l.amount)},${l.description},${l.category},line${i}`),
  ].join("\n");
  const res = await api(`/v1/accounts/${accountId}/imports`, { method: "POST", token, body: csv, headers: { "content-type": "text/csv" } });
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(201);
  expect(res.body).toMatchObject({ imported: lines.length, failed: 0 });
  const { results } = await env.DB.prepare("SELECT id, external_id FROM entries WHERE account_id = ?")
    .bind(accountId)
    .all<{ id: string; external_id: string }>();
  const byLine = new Map(results.map((r) => [r.external_id, r.id]));
  return lines.map((_, i) => byLine.get(`line${i}`)!);
}
const seededAccount = (userId: string) => createAccount(userId, { overdraft_limit: null });

const problem = (res: Answer, status: number, code = "validation_failed") => expectProblem(res, status, code);

describe("POST /v1/ai/categorize", () => {
  it("categorises statement lines in order, rules first then the model", async () => {
    const u = await createUser();
    const res = await api("/v1/ai/categorize", {
      method: "POST",
      token: u.token,
      json: {
        transactions: [
          { description: "VIR SEPA SALAIRE ACME SAS", amount: 250_000 },
          { description: "CB CARREFOUR MARKET 12/03 PARIS", amount: -4_250 },
          { description: "NETFLIX.COM", amount: -1_399, counterparty: "Netflix" },
          { description: "SNCF CONNECT PARIS", amount: -8_900 },
        ],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toHaveLength(4);
    expect(res.body.data[0]).toEqual({ category: "income", confidence: 1, source: "rule" });
    expect(res.body.data.slice(1).map((d: any) => d.category)).toEqual(["groceries", "subscriptions", "transport"]);
    for (const d of res.body.data.slice(1)) {
      expect(d.source).toBe("model");
      expect(d.confidence).toBeGreaterThan(0);
      expect(d.confidence).toBeLessThanOrEqual(1);
    }
  });

  it("applies the caller's own rules first", async () => {
    const u = await createUser();
    await env.DB.prepare("INSERT INTO category_rules (id, user_id, contains, category) VALUES (?, ?, 'carrefour', 'dining')")
      .bind(newId("rul"), u.id)
      .run();
    const res = await api("/v1/ai/categorize", {
      method: "POST",
      token: u.token,
      json: { transactions: [{ description: "CB CARREFOUR MARKET", amount: -100 }] },
    });
    expect(res.body.data[0]).toEqual({ category: "dining", confidence: 1, source: "rule" });
  });

  it("accepts 500 lines and refuses empty lists, 501 lines, unknown fields and bad amounts", async () => {
    const u = await createUser();
    const line = { description: "CB MONOPRIX 0423 PARIS", amount: -1_250 };
    const ok = await api("/v1/ai/categorize", { method: "POST", token: u.token, json: { transactions: Array(500).fill(line) } });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toHaveLength(500);
    problem(await api("/v1/ai/categorize", { method: "POST", token: u.token, json: { transactions: [] } }), 422);
    problem(await api("/v1/ai/categorize", { method: "POST", token: u.token, json: { transactions: Array(501).fill(line) } }), 422);
    const unknown = await api("/v1/ai/categorize", { method: "POST", token: u.token, json: { transactions: [line], model: "big" } });
    problem(unknown, 422);
    expect(unknown.body.errors).toContainEqual({ path: "model", message: "unknown field" });
    problem(await api("/v1/ai/categorize", { method: "POST", token: u.token, json: { transactions: [{ ...line, foo: 1 }] } }), 422);
    problem(
      await api("/v1/ai/categorize", { method: "POST", token: u.token, json: { transactions: [{ description: "x", amount: 1.5 }] } }),
      422,
    );
    problem(
      await api("/v1/ai/categorize", { method: "POST", token: u.token, body: "{oops", headers: { "content-type": "application/json" } }),
      400,
    );
  });

  it("needs a token with ai:read", async () => {
    problem(
      await api("/v1/ai/categorize", { method: "POST", json: { transactions: [{ description: "x", amount: -1 }] } }),
      401,
      "unauthorized",
    );
    const u = await createUser({ scopes: ["accounts:read"] });
    problem(
      await api("/v1/ai/categorize", { method: "POST", token: u.token, json: { transactions: [{ description: "x", amount: -1 }] } }),
      403,
      "forbidden",
    );
  });

  it("categorises transactions recorded without a category (the ledger asks the ai worker by RPC)", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      json: { amount: 100_000, description: "opening", category: "income" },
    });
    const res = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      json: { amount: -4_599, description: "CB CARREFOUR MARKET 12/03 PARIS" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.category).toBe("groceries");
  });

  it("is not reachable through the gateway at /internal/categorize", async () => {
    const u = await createUser();
    const res = await api("/internal/categorize", {
      method: "POST",
      token: u.token,
      json: { transactions: [{ description: "x", amount: -1 }] },
    });
    expect(res.status).toBe(404);
  });

  it("is not documented in the ai worker's public /openapi.json", async () => {
    const doc = (await (exports as unknown as Record<string, Fetcher>).AiService.fetch(`${ORIGIN}/openapi.json`).then((r) =>
      r.json(),
    )) as any;
    expect(Object.keys(doc.paths)).toContain("/v1/ai/categorize");
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/internal"))).toEqual([]);
  });
});

describe("GET /v1/ai/forecast", () => {
  it("forecasts the balance with an 80 % interval and a backtest, from entries on or before as_of", async () => {
    const u = await createUser();
    const acc = await seededAccount(u.id);
    const lines = history();
    await seed(u.token, acc, lines);
    const res = await api(`/v1/ai/forecast?account_id=${acc}&horizon=90&as_of=2026-05-31`, { token: u.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ account_id: acc, currency: "EUR", as_of: "2026-05-31", method: "robust-seasonal-decomposition" });
    expect(res.body.points).toHaveLength(90);
    expect(res.body.points[0].date).toBe("2026-06-01");
    for (const p of res.body.points) {
      expect(Number.isInteger(p.balance)).toBe(true);
      expect(p.lower).toBeLessThanOrEqual(p.balance);
      expect(p.upper).toBeGreaterThanOrEqual(p.balance);
    }
    // Nothing after as_of was used: the June outlier does not move the forecast.
    const balanceAtAsOf = lines.filter((l) => l.date <= "2026-05-31").reduce((a, l) => a + l.amount, 0);
    const june30 = res.body.points.find((p: any) => p.date === "2026-06-30");
    const expected = balanceAtAsOf + 250_000 - 90_000 - 1_399 - 4 * 7_000;
    expect(Math.abs(june30.balance - expected)).toBeLessThan(20_000);
    expect(res.body.backtest.mase).toBeTypeOf("number");
    expect(res.body.backtest.baseline_mase).toBeTypeOf("number");
    expect(res.body.backtest.mase).toBeLessThan(res.body.backtest.baseline_mase);

    const dflt = await api(`/v1/ai/forecast?account_id=${acc}`, { token: u.token });
    expect(dflt.status).toBe(200);
    expect(dflt.body.points).toHaveLength(30);
  });

  it("refuses out-of-range horizons, bad dates, foreign accounts and accounts with no history", async () => {
    const u = await createUser();
    const acc = await seededAccount(u.id);
    await seed(u.token, acc, history("2026-01-01", "2026-03-31"));
    const inAYear = day(new Date().toISOString().slice(0, 10), 366);
    for (const q of [
      "horizon=0",
      "horizon=366",
      "horizon=abc",
      "horizon=1.5",
      "as_of=2026-02-30",
      "as_of=yesterday",
      "as_of=9999-12-31",
      `as_of=${day(inAYear, 1)}`,
      "as_of=1969-12-31",
    ])
      problem(await api(`/v1/ai/forecast?account_id=${acc}&${q}`, { token: u.token }), 400);
    problem(await api("/v1/ai/forecast", { token: u.token }), 400);
    expect((await api(`/v1/ai/forecast?account_id=${acc}&horizon=1`, { token: u.token })).status).toBe(200);
    expect((await api(`/v1/ai/forecast?account_id=${acc}&horizon=1&as_of=${inAYear}`, { token: u.token })).status).toBe(200);
    expect((await api(`/v1/ai/forecast?account_id=${acc}&horizon=365`, { token: u.token })).body.points).toHaveLength(365);

    const other = await createUser();
    problem(await api(`/v1/ai/forecast?account_id=${acc}`, { token: other.token }), 404, "not_found");
    problem(await api("/v1/ai/forecast?account_id=acc_doesnotexist", { token: u.token }), 404, "not_found");

    const empty = await createAccount(u.id);
    const none = await api(`/v1/ai/forecast?account_id=${empty}`, { token: u.token });
    problem(none, 422);
    expect(none.body.errors).toContainEqual({ path: "account_id", message: "no transaction history on or before as_of" });
    // history exists, but none on or before as_of
    problem(await api(`/v1/ai/forecast?account_id=${acc}&as_of=2025-12-31`, { token: u.token }), 422);
  });
});

describe("GET /v1/ai/anomalies", () => {
  it("ranks the injected outlier first with a reason a person understands", async () => {
    const u = await createUser();
    const acc = await seededAccount(u.id);
    const ids = await seed(u.token, acc, history());
    const lines = history();
    const outlierId = ids[lines.findIndex((l) => l.amount === -48_000)];
    const res = await api(`/v1/ai/anomalies?account_id=${acc}&from=2026-06-01&to=2026-06-30`, { token: u.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data[0].transaction_id).toBe(outlierId);
    expect(res.body.data[0].reason).toMatch(/CARREFOUR/);
    const scores = res.body.data.map((d: any) => d.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const all = await api(`/v1/ai/anomalies?account_id=${acc}`, { token: u.token });
    expect(all.body.data[0].transaction_id).toBe(outlierId);
    const before = await api(`/v1/ai/anomalies?account_id=${acc}&to=2026-05-31`, { token: u.token });
    expect(before.body.data.map((d: any) => d.transaction_id)).not.toContain(outlierId);
  });

  it("refuses foreign accounts and bad dates", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const other = await createUser();
    problem(await api(`/v1/ai/anomalies?account_id=${acc}`, { token: other.token }), 404, "not_found");
    problem(await api(`/v1/ai/anomalies?account_id=${acc}&from=2026-13-01`, { token: u.token }), 400);
    const empty = await api(`/v1/ai/anomalies?account_id=${acc}`, { token: u.token });
    expect(empty.body).toEqual({ data: [] });
  });
});

describe("GET /v1/ai/recommendations", () => {
  it("finds the subscription, with evidence ids and a monthly impact", async () => {
    const u = await createUser();
    const acc = await seededAccount(u.id);
    const start = day(new Date().toISOString().slice(0, 10), -400);
    const lines = history(start, day(new Date().toISOString().slice(0, 10), -1));
    const ids = await seed(u.token, acc, lines);
    await env.DB.prepare(
      "INSERT INTO budgets (id, user_id, category, amount, currency, period) VALUES (?, ?, 'groceries', 1000, 'EUR', 'month')",
    )
      .bind(newId("bud"), u.id)
      .run();
    const res = await api("/v1/ai/recommendations", { token: u.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sub = res.body.data.find((r: any) => r.type === "subscription" && /NETFLIX/.test(r.title));
    expect(sub).toBeDefined();
    expect(sub.estimated_monthly_impact).toBe(1_399);
    expect(sub.currency).toBe("EUR");
    const netflixIds = new Set(ids.filter((_, i) => lines[i]!.description.includes("NETFLIX")));
    expect(sub.evidence.length).toBeGreaterThan(0);
    for (const id of sub.evidence) expect(netflixIds.has(id)).toBe(true);
    for (const r of res.body.data) {
      expect(["budget", "subscription", "savings", "overspending", "tax"]).toContain(r.type);
      expect(Number.isInteger(r.estimated_monthly_impact)).toBe(true);
    }
  });

  it("answers an empty list for a user without history, and never shows another user's data", async () => {
    const u = await createUser();
    const res = await api("/v1/ai/recommendations", { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [] });
  });
});

describe("POST /v1/ai/tax-optimization", () => {
  const incomeTax = (token: string, json: unknown) => api("/v1/tax/income-tax", { method: "POST", token, json });
  const optimize = (token: string, json: unknown) => api("/v1/ai/tax-optimization", { method: "POST", token, json });

  it("FR: every tax_after is the income-tax endpoint's answer, ranked by saving", async () => {
    const u = await createUser();
    const body = FR_COUPLE_2025;
    const res = await optimize(u.token, { ...body, cash_available: 800_000 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const base = await incomeTax(u.token, body);
    expect(res.body.baseline_tax).toBe(base.body.tax);
    const kinds = res.body.suggestions.map((s: any) => s.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(["fr_per_contribution", "fr_donation", "fr_donation_people_in_difficulty", "fr_services_a_la_personne"]),
    );
    const savings = res.body.suggestions.map((s: any) => s.tax_saving);
    expect(savings).toEqual([...savings].sort((a: number, b: number) => b - a));
    for (const s of res.body.suggestions) {
      expect(s.amount).toBeLessThanOrEqual(800_000);
      expect(s.tax_saving).toBe(res.body.baseline_tax - s.tax_after);
      expect(s.net_cost).toBe(s.amount - s.tax_saving);
      expect(s.explanation.length).toBeGreaterThan(20);
    }
    const per = res.body.suggestions.find((s: any) => s.kind === "fr_per_contribution");
    const after = await incomeTax(u.token, { ...body, income: { taxable_income: base.body.taxable_income - per.amount } });
    expect(per.tax_after).toBe(after.body.tax);
    const don = res.body.suggestions.find((s: any) => s.kind === "fr_donation");
    expect(don.tax_after).toBe(Math.max(0, base.body.tax - Math.round(0.66 * don.amount)));
    expect(don.amount).toBeLessThanOrEqual(Math.floor(0.2 * base.body.taxable_income));
    const aid = res.body.suggestions.find((s: any) => s.kind === "fr_donation_people_in_difficulty");
    expect(aid.amount).toBeLessThanOrEqual(200_000); // 2025: 2 000 € for gifts from 14 October 2025 (LF 2026)
    expect(aid.tax_after).toBe(Math.max(0, base.body.tax - Math.round(0.75 * aid.amount)));
    const sap = res.body.suggestions.find((s: any) => s.kind === "fr_services_a_la_personne");
    expect(sap.amount).toBe(800_000); // min(cash, 12 000 € + 2 × 1 500 €)
    expect(sap.tax_after).toBe(Math.max(0, base.body.tax - 400_000));
  });

  it("FR: reductions and credits follow the collection rules (whole euros, nothing under 61 €), and spending stops at the whole tax", async () => {
    const u = await createUser();
    const body = { jurisdiction: "FR", income_year: 2025, filing_status: "single", income: { salaries: [2_600_000] } };
    const base = (await incomeTax(u.token, body)).body;
    const res = await optimize(u.token, { ...body, cash_available: 300_000 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const don = res.body.suggestions.find((s: any) => s.kind === "fr_donation");
    expect(Math.max(0, base.tax - Math.round(0.66 * don.amount))).toBeLessThan(6_100); // 64 cents before the rules
    expect(don.tax_after).toBe(0);
    expect(don.tax_saving).toBe(base.tax);
    for (const s of res.body.suggestions.filter((s: any) => s.kind !== "fr_per_contribution")) {
      expect(s.tax_after % 100).toBe(0);
      expect(s.tax_after === 0 || s.tax_after >= 6_100).toBe(true);
      expect(s.tax_saving).toBe(res.body.baseline_tax - s.tax_after);
    }
    const sap = res.body.suggestions.find((s: any) => s.kind === "fr_services_a_la_personne");
    expect(sap.amount).toBeLessThanOrEqual(Math.ceil(base.tax / 0.5));
    expect(sap.tax_after).toBe(0);
  });

  it("FR: the PER ceiling is 10 % of professional income, within the floor and cap, without cash_available", async () => {
    const u = await createUser();
    const body = { jurisdiction: "FR", income_year: 2024, filing_status: "single", dependents: 0, income: { taxable_income: 6_000_000 } };
    const res = await optimize(u.token, body);
    const per = res.body.suggestions.find((s: any) => s.kind === "fr_per_contribution");
    expect(per.amount).toBe(600_000);
    const after = await incomeTax(u.token, { ...body, income: { taxable_income: 5_400_000 } });
    expect(per.tax_after).toBe(after.body.tax);
    const low = await optimize(u.token, { ...body, income: { taxable_income: 2_000_000 } });
    expect(low.body.suggestions.find((s: any) => s.kind === "fr_per_contribution").amount).toBe(439_900); // floor: 10 % of PASS 2023
  });

  it("US: 401(k) and IRA within the year's limits and cash; itemised gifts only above the standard deduction", async () => {
    const u = await createUser();
    const body = { jurisdiction: "US", income_year: 2025, filing_status: "single", dependents: 0, income: { salaries: [12_000_000] } };
    const res = await optimize(u.token, { ...body, cash_available: 4_000_000 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const by = Object.fromEntries(res.body.suggestions.map((s: any) => [s.kind, s]));
    expect(by.us_401k_contribution.amount).toBe(2_350_000);
    expect(by.us_traditional_ira_contribution.amount).toBe(700_000);
    for (const [kind, salary] of [
      ["us_401k_contribution", 12_000_000 - 2_350_000],
      ["us_traditional_ira_contribution", 12_000_000 - 700_000],
    ] as const) {
      const after = await incomeTax(u.token, { ...body, income: { salaries: [salary] } });
      expect(by[kind].tax_after).toBe(after.body.tax);
    }
    const base = await incomeTax(u.token, body);
    const gift = by.us_itemized_charitable_gifts;
    expect(gift.amount).toBe(4_000_000);
    const after = await incomeTax(u.token, { ...body, income: { taxable_income: 12_000_000 - 4_000_000 } });
    expect(gift.tax_after).toBe(after.body.tax);
    expect(gift.tax_saving).toBe(base.body.tax - after.body.tax);

    const small = await optimize(u.token, { ...body, income_year: 2024, cash_available: 500_000 });
    const kinds = small.body.suggestions.map((s: any) => s.kind);
    expect(kinds).not.toContain("us_itemized_charitable_gifts"); // 5 000 $ < 14 600 $ standard deduction
    for (const s of small.body.suggestions) expect(s.amount).toBeLessThanOrEqual(500_000);
    const ira2024 = await optimize(u.token, { ...body, income_year: 2024 });
    expect(ira2024.body.suggestions.find((s: any) => s.kind === "us_401k_contribution").amount).toBe(2_300_000);
  });

  it("refuses unknown fields and passes the engine's validation errors through", async () => {
    const u = await createUser();
    const body = { jurisdiction: "FR", income_year: 2025, filing_status: "single", income: { taxable_income: 3_000_000 } };
    problem(await optimize(u.token, { ...body, coupon: "x" }), 422);
    problem(await optimize(u.token, { ...body, cash_available: -1 }), 422);
    problem(await optimize(u.token, { ...body, income_year: 1990 }), 422);
    problem(await optimize(u.token, { ...body, filing_status: "married_joint" }), 422);
    const none = await optimize(u.token, { ...body, income: { taxable_income: 0 } });
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ baseline_tax: 0, suggestions: [] });
  });
});
