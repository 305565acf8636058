import { sql, type SQL } from "drizzle-orm";

/**
 * The entries that count in totals, reports, budgets and the AI's history: one user's or one account's,
 * without any reversed transaction and without the reversals themselves (a reversed expense was never
 * really spent; its reversal is no income). A reversal sits in the account of the entry it reverses, so
 * the subquery is scoped like the outer rows. `alias` names `entries` in the enclosing query (`e`, or
 * `entries` in a drizzle select from the table).
 */
export function countedEntries(scope: "user_id" | "account_id", id: string, alias = "e"): SQL {
  const e = sql.raw(alias);
  const column = sql.raw(scope);
  return sql`${e}.${column} = ${id} AND ${e}.reverses_id IS NULL AND ${e}.id NOT IN (SELECT r.reverses_id FROM entries r WHERE r.${column} = ${id} AND r.reverses_id IS NOT NULL)`;
}
