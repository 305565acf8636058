// Money totals past 2^53 over real HTTP: entries imported through the public API, answers read as JSON
// text with a parser that keeps big integers (JSON.parse's reviver sees each number's source digits).
import { beforeAll, describe, expect, it } from "vitest";
import { parseExactJson as parseExact } from "#core/exact-json";
import { call, register } from "./helpers";

const E13 = 10_000_000_000_000n; // the largest amount the API accepts
const N = 1000; // 1000 × 10^13 = 10^16 > 2^53

const big = (v: unknown) => (typeof v === "bigint" ? v : BigInt(v as number));
const major = (minor: bigint) =>
  `${minor < 0n ? "-" : ""}${(minor < 0n ? -minor : minor) / 100n}.${String((minor < 0n ? -minor : minor) % 100n).padStart(2, "0")}`;

let token = "";
const get = async (path: string) => {
  const res = await call(path, { token });
  return { status: res.status, text: res.text, body: parseExact(res.text) };
};

const today = new Date().toISOString().slice(0, 10);
// Alternating ±10^13 keeps the balance within [0, 10^13]; the odd extras make the totals numbers no
// double can hold (10^16 itself is one a double holds exactly).
const rows: [bigint, string][] = [[3n, "income"]];
for (let i = 0; i < N; i++) rows.push([E13, "income"], [-E13, "groceries"]);
rows.push([-1n, "groceries"]);
const income = rows.filter(([a]) => a > 0n).reduce((s, [a]) => s + a, 0n);
const spent = -rows.filter(([a]) => a < 0n).reduce((s, [a]) => s + a, 0n);

beforeAll(async () => {
  token = await register("exact");
  const acc = await call("/v1/accounts", { method: "POST", token, json: { name: "Big", type: "checking", currency: "EUR" } });
  expect(acc.status, acc.text).toBe(201);
  const csv = [
    "date,amount,description,category,external_id",
    ...rows.map(([a, cat], i) => `${today},${major(a)},row ${i},${cat},e${i}`),
  ].join("\n");
  const imported = await call(`/v1/accounts/${acc.body.id}/imports`, {
    method: "POST",
    token,
    body: csv,
    headers: { "content-type": "text/csv" },
  });
  expect(imported.status, imported.text.slice(0, 300)).toBe(201);
  expect(imported.body).toMatchObject({ imported: rows.length, failed: 0 });
});

describe("totals past 2^53 over HTTP", () => {
  it("the test's figures are beyond what a double holds", () => {
    for (const v of [income, spent]) expect(BigInt(Number(v)) === v, String(v)).toBe(false);
  });

  it("report summary and cashflow carry the exact digits", async () => {
    const summary = await get(`/v1/reports/summary?from=${today}&to=${today}&currency=EUR`);
    expect(summary.status, summary.text).toBe(200);
    expect([big(summary.body.income), big(summary.body.expenses), big(summary.body.net)]).toEqual([income, spent, income - spent]);
    expect(summary.text).toContain(`"income":${income},"expenses":${spent}`);
    const cashflow = await get(`/v1/reports/cashflow?from=${today}&to=${today}&currency=EUR&interval=day`);
    expect(cashflow.status, cashflow.text).toBe(200);
    expect([big(cashflow.body.series[0].income), big(cashflow.body.series[0].expenses)]).toEqual([income, spent]);
  });

  it("a budget's spent and remaining are exact", async () => {
    const created = await call("/v1/budgets", { method: "POST", token, json: { category: "groceries", amount: 40_000, currency: "EUR" } });
    expect(created.status, created.text).toBe(201);
    const body = parseExact(created.text);
    expect([big(body.spent), big(body.remaining)]).toEqual([spent, 40_000n - spent]);
    const listed = await get("/v1/budgets");
    expect(big(listed.body.data[0].spent)).toBe(spent);
  });

  it("the OpenAPI document declares totals as unbounded integers and says how they are written", async () => {
    const doc = (await call("/openapi.json")).body;
    const income = doc.components.schemas.ReportSummary.properties.income;
    expect(income.type).toBe("integer");
    expect(income).not.toHaveProperty("maximum");
    expect(income.description).toMatch(/2\^53/);
    expect(doc.components.schemas.Budget.properties.spent.type).toBe("integer");
  });
});
