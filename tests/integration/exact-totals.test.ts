// Money totals past 2^53 (and past 2^63) stay exact: report summary, cashflow, budgets' `spent` and the
// tax report, over entries written through the real import path, read as JSON text with a parser that
// keeps big integers exact (JSON.parse's reviver sees each number's source digits).
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { parseExactJson as parseExact } from "#core";
import { createAccount, createUser, ORIGIN } from "./support";

const E13 = 10_000_000_000_000n; // MAX_AMOUNT, the largest amount the API accepts
const N = 1000; // rows of ±10^13 per total: 1000 × 10^13 = 10^16 > 2^53
const gateway = () => (exports as unknown as { default: Fetcher }).default;

async function get(token: string, path: string) {
  const res = await gateway().fetch(ORIGIN + path, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, text, body: res.headers.get("content-type")?.includes("json") ? parseExact(text) : text };
}

async function send(token: string, method: string, path: string, body: string, type: string) {
  const res = await gateway().fetch(ORIGIN + path, { method, headers: { authorization: `Bearer ${token}`, "content-type": type }, body });
  return { status: res.status, body: JSON.parse(await res.text()) };
}

/** Minor units (EUR, 2 decimals) as the CSV's major-unit decimal string. */
const major = (minor: bigint) => {
  const neg = minor < 0n;
  const abs = neg ? -minor : minor;
  return `${neg ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
};

type Row = [date: string, amount: bigint, category: string];
async function importRows(token: string, account: string, rows: Row[]) {
  const csv = [
    "date,amount,description,category,external_id",
    ...rows.map(([d, a, cat], i) => `${d},${major(a)},row ${i},${cat},x${i}`),
  ].join("\n");
  const res = await send(token, "POST", `/v1/accounts/${account}/imports`, csv, "text/csv");
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(201);
  expect(res.body).toMatchObject({ imported: rows.length, failed: 0 });
}

const big = (v: unknown) => (typeof v === "bigint" ? v : BigInt(v as number));
/** The expected figure must be one a double cannot hold, or the test would prove nothing. */
const unsafe = (v: bigint) => {
  expect(BigInt(Number(v)) === v, `${v} is exactly representable as a double`).toBe(false);
  return v;
};

const today = new Date().toISOString().slice(0, 10);
const sum = (rows: Row[], keep: (r: Row) => boolean) => rows.filter(keep).reduce((a, r) => a + r[1], 0n);

describe("totals past 2^53 through the API", () => {
  let token: string;
  let budget: { status: number; body: any };
  // 2025, one day: alternating so the balance stays within [0, 2·10^13]; odd extras make every big
  // total a number no double holds.
  const year: Row[] = [];
  // This month: groceries spending for the budget.
  const month: Row[] = [];

  beforeAll(async () => {
    const u = await createUser();
    token = u.token;
    const d = "2025-06-15";
    year.push([d, 5n, "income"], [d, 7n, "taxes"], [d, 1n, "other"]);
    for (let i = 0; i < N; i++) year.push([d, E13, "taxes"], [d, -E13, "charity"], [d, E13, "other"], [d, -E13, "taxes"]);
    year.push([d, -3n, "charity"], [d, -9n, "taxes"], [d, -1n, "groceries"]);
    month.push([today, 2n, "other"]);
    for (let i = 0; i < N; i++) month.push([today, E13, "other"], [today, -E13, "groceries"]);
    month.push([today, -1n, "groceries"]);
    const [a, b] = await Promise.all([createAccount(u.id), createAccount(u.id)]);
    await Promise.all([importRows(token, a, year), importRows(token, b, month)]);
    budget = await send(
      token,
      "POST",
      "/v1/budgets",
      JSON.stringify({ category: "groceries", amount: 40_000, currency: "EUR" }),
      "application/json",
    );
  }, 300_000);

  it("report summary: income, expenses, net and by_category are exact", async () => {
    const res = await get(token, "/v1/reports/summary?from=2025-01-01&to=2025-12-31&currency=EUR");
    expect(res.status, res.text).toBe(200);
    const income = unsafe(sum(year, (r) => r[1] > 0n));
    const expenses = unsafe(-sum(year, (r) => r[1] < 0n));
    expect(big(res.body.income)).toBe(income);
    expect(big(res.body.expenses)).toBe(expenses);
    expect(big(res.body.net)).toBe(income - expenses);
    const byCategory = res.body.by_category.map((c: { category: string; amount: unknown }) => [c.category, big(c.amount)]);
    expect(byCategory).toEqual([
      ["charity", unsafe(sum(year, (r) => r[2] === "charity"))],
      ["other", unsafe(sum(year, (r) => r[2] === "other"))],
      ["income", 5n],
      ["taxes", -2n],
      ["groceries", -1n],
    ]);
    // Exact digits on the wire, not a rounded double.
    expect(res.text).toContain(`"income":${income}`);
  });

  it("cashflow: the month's bucket is exact", async () => {
    const res = await get(token, "/v1/reports/cashflow?from=2025-01-01&to=2025-12-31&currency=EUR&interval=month");
    expect(res.status, res.text).toBe(200);
    const june = res.body.series.find((s: { period_start: string }) => s.period_start === "2025-06-01");
    const income = sum(year, (r) => r[1] > 0n);
    const expenses = -sum(year, (r) => r[1] < 0n);
    expect([big(june.income), big(june.expenses), big(june.net)]).toEqual([income, expenses, income - expenses]);
    expect(res.body.series.filter((s: { income: unknown }) => big(s.income) !== 0n)).toHaveLength(1);
  });

  it("budgets: spent and remaining are exact on create, get and list", async () => {
    expect(budget.status, JSON.stringify(budget.body)).toBe(201);
    const spent = unsafe(-sum(month, (r) => r[2] === "groceries"));
    for (const body of [(await get(token, `/v1/budgets/${budget.body.id}`)).body, (await get(token, "/v1/budgets")).body.data[0]]) {
      expect(body.id).toBe(budget.body.id);
      expect(big(body.spent)).toBe(spent);
      expect(big(body.remaining)).toBe(40_000n - spent);
    }
  });

  it("AI recommendations: the overspending text states the exact amount spent", async () => {
    const res = await get(token, "/v1/ai/recommendations");
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const over = res.body.data.find((r: { type: string; title: string }) => r.type === "overspending" && r.title.startsWith("groceries"));
    expect(over?.detail).toContain(`${major(-sum(month, (r) => r[2] === "groceries"))} spent on groceries`);
  });

  it("tax report: deductible total, taxes paid and refunds are exact", async () => {
    const res = await get(token, "/v1/tax/report?jurisdiction=FR&income_year=2025");
    expect(res.status, res.text).toBe(200);
    expect(big(res.body.income.total)).toBe(5n);
    expect(big(res.body.deductible_total)).toBe(unsafe(-sum(year, (r) => r[2] === "charity")));
    expect(big(res.body.taxes_paid.total)).toBe(unsafe(-sum(year, (r) => r[2] === "taxes" && r[1] < 0n)));
    expect(big(res.body.taxes_paid.refunded)).toBe(unsafe(sum(year, (r) => r[2] === "taxes" && r[1] > 0n)));
    expect(res.body.taxes_paid.transactions).toBe(N + 1);
    expect(res.body.deductible_items_listed_all).toBe(false);
  });
});

describe("totals past 2^63", () => {
  // 2^63 / 10^13 ≈ 922 337 rows of the largest accepted amount per total, with as many of the other sign so balances stay bounded:
  // too many to write through the ledger
  // here, so they go straight into the D1 projection (the read path under test) with one statement.
  const ROWS = 1_900_000; // 950 000 of each sign: income and expenses each pass 2^63
  let user: { id: string; token: string };

  beforeAll(async () => {
    user = await createUser();
    const acc = "acc_exacttotals63";
    await env.DB.prepare(
      `INSERT INTO entries (id, account_id, user_id, version, amount, currency, description, category, occurred_at, occurred_date, balance_after, hash, created_at)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       SELECT 'txn_big' || i, ?, ?, i, CASE WHEN i % 2 = 1 THEN 10000000000000 + (i % 7) ELSE -10000000000000 - (i % 5) END, 'EUR', 'big', 'other',
              ?, ?, 0, 'h', ?
       FROM n`,
    )
      .bind(ROWS, acc, user.id, today, today, new Date().toISOString())
      .run();
  }, 300_000);

  const expected = () => {
    let income = 0n;
    let expenses = 0n;
    for (let i = 1; i <= ROWS; i++) {
      if (i % 2 === 1) income += E13 + BigInt(i % 7);
      else expenses += E13 + BigInt(i % 5);
    }
    return { income, expenses };
  };

  it("report summary and cashflow answer exact totals instead of SQLite's integer overflow", async () => {
    const { income, expenses } = expected();
    expect(income > 2n ** 63n && expenses > 2n ** 63n).toBe(true);
    const summary = await get(user.token, `/v1/reports/summary?from=${today}&to=${today}&currency=EUR`);
    expect(summary.status, summary.text.slice(0, 300)).toBe(200);
    expect([big(summary.body.income), big(summary.body.expenses), big(summary.body.net)]).toEqual([income, expenses, income - expenses]);
    expect(summary.body.by_category.map((c: { category: string; amount: unknown }) => [c.category, big(c.amount)])).toEqual([
      ["other", income - expenses],
    ]);
    const cashflow = await get(user.token, `/v1/reports/cashflow?from=${today}&to=${today}&currency=EUR&interval=day`);
    expect(cashflow.status, cashflow.text.slice(0, 300)).toBe(200);
    expect([big(cashflow.body.series[0].income), big(cashflow.body.series[0].expenses)]).toEqual([income, expenses]);
  });
});
