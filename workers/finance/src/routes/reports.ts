import { eq, sql } from "drizzle-orm";
import { users } from "../../../../db/schema";
import { countedEntries, currencySchema, exactJson, exactSum, readExactSum, totalSchema, z, getRoute } from "#core";
import { INTERVALS, MAX_BUCKETS, addMonths, bucketSql, bucketStarts, monthStart, resolveRange, type Interval } from "../domain/periods";
import type { FinanceApp } from "../env";
import { badQuery, db, userId, type Ctx } from "./shared";

const dateParam = (name: string, description: string) =>
  z
    .string()
    .max(10)
    .optional()
    .openapi({ param: { name, in: "query" }, example: name === "from" ? "2025-01-01" : "2025-06-30", description });

const currencyParam = currencySchema.optional().openapi({
  param: { name: "currency", in: "query" },
  description: "ISO 4217 code; default: your base currency (`GET /v1/users/me`, EUR if unset)",
});

const DEFINITIONS =
  "Sums over the ledger projection of all your accounts in one currency, by `occurred_at` date, both ends inclusive. " +
  "`income` = sum of positive amounts, `expenses` = sum of negative amounts reported as a positive number, both leaving out the `transfers` category " +
  "(moving money between accounts or to people is neither income nor spending); `net` = income − expenses. " +
  "Reversed transactions and their reversals are left out. The projection may lag the ledger by the outbox delay.";

const summaryQuery = z.object({
  from: dateParam("from", "First day (YYYY-MM-DD); default: the first day of the month of `to`"),
  to: dateParam("to", "Last day (YYYY-MM-DD); default: today (UTC)"),
  currency: currencyParam,
});

const summarySchema = z
  .object({
    from: z.string(),
    to: z.string(),
    currency: z.string(),
    income: totalSchema("Money in"),
    expenses: totalSchema("Money out, as a positive number"),
    net: totalSchema("income − expenses"),
    by_category: z
      .array(z.object({ category: z.string(), amount: totalSchema("Signed sum of the category's amounts") }))
      .openapi({ description: "Every category with entries in the range, `transfers` included, largest magnitude first" }),
  })
  .openapi("ReportSummary");

const cashflowQuery = z.object({
  from: dateParam("from", "First day (YYYY-MM-DD); default: the first day of the month 11 months before `to` (12 months)"),
  to: dateParam("to", "Last day (YYYY-MM-DD); default: today (UTC)"),
  interval: z
    .enum(INTERVALS)
    .default("month")
    .openapi({ param: { name: "interval", in: "query" }, description: "Bucket size: ISO weeks start on Monday" }),
  currency: currencyParam,
});

const cashflowSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    currency: z.string(),
    interval: z.enum(INTERVALS),
    series: z.array(
      z.object({
        period_start: z
          .string()
          .openapi({ description: "Start of the bucket; the first and last buckets only count days within from..to" }),
        income: totalSchema("Money in"),
        expenses: totalSchema("Money out, as a positive number"),
        net: totalSchema("income − expenses"),
      }),
    ),
  })
  .openapi("ReportCashflow");

const tags = ["reports"];

export const summaryRoute = getRoute({
  path: "/v1/reports/summary",
  tags,
  summary: "Income, expenses and spending by category over a date range",
  description: DEFINITIONS,
  scope: "transactions:read",
  query: summaryQuery,
  item: { schema: summarySchema, description: "The summary" },
});

export const cashflowRoute = getRoute({
  path: "/v1/reports/cashflow",
  tags,
  summary: "Income, expenses and net per day, week or month",
  description: `${DEFINITIONS} Every bucket of the range is listed, empty ones with zeros; at most ${MAX_BUCKETS} buckets.`,
  scope: "transactions:read",
  query: cashflowQuery,
  item: { schema: cashflowSchema, description: "The series, oldest first" },
});

async function currencyFor(c: Ctx, requested: string | undefined): Promise<string> {
  if (requested) return requested;
  const row = await db(c)
    .select({ base: users.baseCurrency })
    .from(users)
    .where(eq(users.id, userId(c)))
    .get();
  return row?.base ?? "EUR";
}

function range(from: string | undefined, to: string | undefined, defaultFrom: (to: string) => string) {
  const r = resolveRange(from, to, defaultFrom);
  if (!r.ok) throw badQuery(r.path, r.message);
  return r.range;
}

const INCOME = exactSum(sql`CASE WHEN e.amount > 0 AND e.category <> 'transfers' THEN e.amount END`);
const EXPENSES = exactSum(sql`CASE WHEN e.amount < 0 AND e.category <> 'transfers' THEN -e.amount END`);
const abs = (x: bigint) => (x < 0n ? -x : x);

export function registerReports(app: FinanceApp) {
  app.openapi(summaryRoute, async (c) => {
    const q = c.req.valid("query");
    const { from, to } = range(q.from, q.to, monthStart);
    const currency = await currencyFor(c, q.currency);
    const where = sql`${countedEntries("user_id", userId(c))} AND e.currency = ${currency} AND e.occurred_date BETWEEN ${from} AND ${to}`;
    const [totals, byCategory] = await Promise.all([
      db(c).all<{ income: string; expenses: string }>(
        sql`SELECT ${INCOME} AS income, ${EXPENSES} AS expenses FROM entries e WHERE ${where}`,
      ),
      db(c).all<{ category: string; amount: string }>(
        sql`SELECT e.category AS category, ${exactSum(sql`e.amount`)} AS amount FROM entries e WHERE ${where}
            GROUP BY e.category ORDER BY e.category`,
      ),
    ]);
    const income = readExactSum(totals[0]?.income);
    const expenses = readExactSum(totals[0]?.expenses);
    // Largest magnitude first, ties by name: the stable sort keeps SQLite's (binary) name order.
    const categories = byCategory.map((r) => ({ category: r.category, amount: readExactSum(r.amount) }));
    categories.sort((a, b) => (abs(a.amount) === abs(b.amount) ? 0 : abs(a.amount) > abs(b.amount) ? -1 : 1));
    return exactJson(
      c,
      {
        from,
        to,
        currency,
        income,
        expenses,
        net: income - expenses,
        by_category: categories,
      },
      200,
    );
  });

  app.openapi(cashflowRoute, async (c) => {
    const q = c.req.valid("query");
    const interval: Interval = q.interval;
    const { from, to } = range(q.from, q.to, (end) => addMonths(end, -11));
    const starts = bucketStarts(from, to, interval);
    if (!starts) throw badQuery("from", `the range has more than ${MAX_BUCKETS} ${interval}s`);
    const currency = await currencyFor(c, q.currency);
    const bucket = sql.raw(bucketSql("e.occurred_date", interval));
    const rows = await db(c).all<{ period_start: string; income: string; expenses: string }>(
      sql`SELECT ${bucket} AS period_start, ${INCOME} AS income, ${EXPENSES} AS expenses
          FROM entries e
          WHERE ${countedEntries("user_id", userId(c))} AND e.currency = ${currency} AND e.occurred_date BETWEEN ${from} AND ${to}
          GROUP BY 1`,
    );
    const found = new Map(rows.map((r) => [r.period_start, r]));
    const series = starts.map((period_start) => {
      const r = found.get(period_start);
      const income = readExactSum(r?.income);
      const expenses = readExactSum(r?.expenses);
      return { period_start, income, expenses, net: income - expenses };
    });
    return exactJson(c, { from, to, currency, interval, series }, 200);
  });
}
