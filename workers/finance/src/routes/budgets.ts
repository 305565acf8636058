import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { budgets } from "../../../../db/schema";
import {
  ApiError,
  MAX_AMOUNT,
  countedEntries,
  currencySchema,
  exactJson,
  exactSum,
  keyset,
  newId,
  page,
  readExactSum,
  totalSchema,
  z,
  resourceRoutes,
} from "#core";
import { monthBounds } from "../domain/periods";
import type { FinanceApp } from "../env";
import { categoryRefSchema, db, idParam, requireCategory, userId, type Ctx } from "./shared";

const budgetSchema = z
  .object({
    id: z.string().openapi({ example: "bud_01jz3k5m7q8r9s0t1v2w3x4y5z" }),
    category: z.string().openapi({ example: "groceries" }),
    amount: z.number().int().openapi({ example: 40_000 }),
    currency: z.string().openapi({ example: "EUR" }),
    period: z.literal("month"),
    spent: totalSchema("Money out in this category and currency during the current period, as a positive number"),
    remaining: totalSchema("amount − spent (negative when over budget)"),
    period_start: z.string().openapi({ example: "2025-06-01" }),
    period_end: z.string().openapi({ example: "2025-06-30", description: "Inclusive" }),
    created_at: z.string(),
  })
  .openapi("Budget", {
    description:
      "`spent` sums, from the ledger projection, the negative amounts of every account of yours in the budget's currency whose category is the budget's category or one of your own categories under it, dated (occurred_at) within the current calendar month in UTC. Reversed transactions and their reversals are left out.",
  });

const createSchema = z
  .strictObject({
    category: categoryRefSchema,
    amount: z.number().int("must be an integer number of minor units").min(1).max(MAX_AMOUNT).openapi({ example: 40_000 }),
    currency: currencySchema,
    period: z.literal("month").default("month").openapi({ description: "Only calendar months (UTC) for now" }),
  })
  .openapi("BudgetCreate");

const budget = resourceRoutes({
  path: "/v1/budgets",
  tags: ["budgets"],
  params: idParam("bud", "01jz3k5m7q8r9s0t1v2w3x4y5z"),
  item: budgetSchema,
  read: "accounts:read",
  write: "accounts:write",
});

export const createBudgetRoute = budget.create({
  summary: "Set a monthly budget for a category and currency",
  description: "One budget per category, currency and period: a second one → 409.",
  body: { schema: createSchema, description: "The budget" },
  answer: "The budget with what is already spent this month",
  conflict: "A budget for this category and currency exists",
});

export const listBudgetsRoute = budget.list({
  summary: "Your budgets with spent and remaining for the current month, newest first",
  page: { name: "BudgetPage", description: "One page of budgets" },
});

export const getBudgetRoute = budget.get({
  summary: "One budget with spent and remaining for the current month",
  answer: "The budget",
});

export const deleteBudgetRoute = budget.delete({ summary: "Delete a budget" });

// Qualified by hand: drizzle renders columns of a single-table select unqualified, and inside the
// correlated subquery an unqualified `currency` would resolve to `entries.currency`.
const B_CURRENCY = sql.raw('"budgets"."currency"');
const B_CATEGORY = sql.raw('"budgets"."category"');

/** The caller's budgets matching `where`, each with `spent` summed in SQL over the current month. */
async function budgetsWithSpent(c: Ctx, where: SQL | undefined, limit: number, now = new Date()) {
  const uid = userId(c);
  const { period_start, period_end } = monthBounds(now);
  const spent = sql`(
      SELECT ${exactSum(sql`-e.amount`)} FROM entries e
      WHERE ${countedEntries("user_id", uid)}
        AND e.currency = ${B_CURRENCY} AND e.amount < 0
        AND e.occurred_date BETWEEN ${period_start} AND ${period_end}
        AND (e.category = ${B_CATEGORY}
             OR e.category IN (SELECT k.name FROM categories k WHERE k.user_id = ${uid} AND k.parent = ${B_CATEGORY}))
    )`.mapWith(readExactSum);
  const rows = await db(c)
    .select({
      id: budgets.id,
      category: budgets.category,
      amount: budgets.amount,
      currency: budgets.currency,
      period: budgets.period,
      created_at: budgets.createdAt,
      spent,
    })
    .from(budgets)
    .where(and(eq(budgets.userId, uid), where))
    .orderBy(desc(budgets.createdAt), desc(budgets.id))
    .limit(limit);
  return rows.map((r) => ({ ...r, remaining: BigInt(r.amount) - r.spent, period_start, period_end }));
}

export function registerBudgets(app: FinanceApp) {
  app.openapi(createBudgetRoute, async (c) => {
    const body = c.req.valid("json");
    const uid = userId(c);
    await requireCategory(c, body.category);
    const clash = await db(c)
      .select({ id: budgets.id })
      .from(budgets)
      .where(
        and(
          eq(budgets.userId, uid),
          eq(budgets.category, body.category),
          eq(budgets.currency, body.currency),
          eq(budgets.period, body.period),
        ),
      )
      .get();
    if (clash)
      throw new ApiError("conflict", `A ${body.period}ly ${body.currency} budget for ${body.category} already exists (${clash.id}).`);
    const id = newId("bud");
    await db(c).insert(budgets).values({
      id,
      userId: uid,
      category: body.category,
      amount: body.amount,
      currency: body.currency,
      period: body.period,
      createdAt: new Date().toISOString(),
    });
    const [budget] = await budgetsWithSpent(c, eq(budgets.id, id), 1);
    return exactJson(c, budget, 201);
  });

  app.openapi(listBudgetsRoute, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const rows = await budgetsWithSpent(c, keyset(budgets.createdAt, budgets.id, cursor).after, limit + 1);
    return exactJson(
      c,
      page(rows, limit, (r) => ({ t: r.created_at, id: r.id })),
      200,
    );
  });

  app.openapi(getBudgetRoute, async (c) => {
    const [budget] = await budgetsWithSpent(c, eq(budgets.id, c.req.valid("param").id), 1);
    if (!budget) throw new ApiError("not_found", "No such budget.");
    return exactJson(c, budget, 200);
  });

  app.openapi(deleteBudgetRoute, async (c) => {
    const gone = await db(c)
      .delete(budgets)
      .where(and(eq(budgets.id, c.req.valid("param").id), eq(budgets.userId, userId(c))))
      .returning({ id: budgets.id });
    if (!gone.length) throw new ApiError("not_found", "No such budget.");
    return c.body(null, 204);
  });
}
