import { ApiError, defineRoute, jsonResponse, z } from "#core";
import { fromDay, toDay } from "../domain/dates";
import { backtest, forecast } from "../domain/forecast";
import type { AiApp } from "../env";
import { accountIdQuery, isoDate, today } from "./shared";

/** as_of bounds: not before the Unix epoch, at most a year and a day ahead (9999-12-31 is refused). */
const AS_OF_MIN = "1970-01-01";
const AS_OF_MAX_DAYS_AHEAD = 366;
const asOfInRange = (d: string) => d >= AS_OF_MIN && d <= fromDay(toDay(today()) + AS_OF_MAX_DAYS_AHEAD);

const querySchema = z.object({
  account_id: accountIdQuery,
  horizon: z.coerce
    .number()
    .int("must be an integer")
    .min(1)
    .max(365)
    .default(30)
    .openapi({ example: 30, description: "Days after as_of, 1–365" }),
  as_of: isoDate
    .refine(asOfInRange, `must be between ${AS_OF_MIN} and ${AS_OF_MAX_DAYS_AHEAD} days after today`)
    .optional()
    .openapi({
      description: `Only entries dated on or before this day are used, and only the last ~3 years of them are fitted (default: today, UTC; from ${AS_OF_MIN} to ${AS_OF_MAX_DAYS_AHEAD} days after today)`,
    }),
});

const pointSchema = z.object({
  date: z.string().openapi({ example: "2026-07-01" }),
  balance: z.number().int().openapi({ description: "Predicted end-of-day balance, minor units" }),
  lower: z.number().int().openapi({ description: "Lower bound of the 80 % interval" }),
  upper: z.number().int().openapi({ description: "Upper bound of the 80 % interval" }),
});

const forecastSchema = z
  .object({
    account_id: z.string(),
    currency: z.string().openapi({ example: "EUR" }),
    as_of: z.string().openapi({ example: "2026-06-30" }),
    method: z.string().openapi({ example: "robust-seasonal-decomposition" }),
    points: z.array(pointSchema),
    backtest: z.object({
      mase: z
        .number()
        .nullable()
        .openapi({ description: "The model's MASE on the account's last 60 days (null: under 120 days of history)" }),
      baseline_mase: z.number().nullable().openapi({ description: "The monthly seasonal-naive baseline's MASE on the same days" }),
    }),
  })
  .openapi("Forecast");

export const forecastRoute = defineRoute({
  method: "get",
  path: "/v1/ai/forecast",
  tags: ["ai"],
  summary: "Cash-flow forecast: end-of-day balance with an 80 % interval",
  description:
    "Robust seasonal decomposition of the account's daily net flows (day of month, day of week, level and trend), fitted only on entries dated on or before `as_of` (the last ~3 years of them; earlier ones only set the starting balance); " +
    "the balance starts at 0 before the first entry. An account with no entry on or before `as_of` has nothing to learn from → 422 `validation_failed`.",
  scope: "ai:read",
  request: { query: querySchema },
  responses: { 200: jsonResponse(forecastSchema, "The forecast and its backtest") },
});

export function registerForecast(app: AiApp) {
  app.openapi(forecastRoute, async (c) => {
    const q = c.req.valid("query");
    const asOf = q.as_of ?? today();
    // The ownership check and the entries in one D1 round trip (a batch); entries only of the caller's account.
    const [owned, entries] = await c.env.DB.batch([
      c.env.DB.prepare("SELECT id, currency FROM accounts WHERE id = ? AND user_id = ?").bind(q.account_id, c.get("identity").sub),
      c.env.DB.prepare(
        "SELECT e.occurred_date AS date, e.amount FROM entries e JOIN accounts a ON a.id = e.account_id AND a.user_id = ? WHERE e.account_id = ? AND e.occurred_date <= ? ORDER BY e.occurred_date, e.version",
      ).bind(c.get("identity").sub, q.account_id, asOf),
    ]);
    const account = (owned!.results as { id: string; currency: string }[])[0];
    if (!account) throw new ApiError("not_found", "No such account.");
    const results = entries!.results as { date: string; amount: number }[];
    if (!results.length)
      throw new ApiError("validation_failed", `Account ${account.id} has no transactions on or before ${asOf}: nothing to forecast from.`, {
        errors: [{ path: "account_id", message: "no transaction history on or before as_of" }],
      });
    const input = { entries: results, opening_balance: 0, as_of: asOf };
    const f = forecast({ ...input, horizon: q.horizon });
    return c.json(
      { account_id: account.id, currency: account.currency, as_of: f.as_of, method: f.method, points: f.points, backtest: backtest(input) },
      200,
    );
  });
}
