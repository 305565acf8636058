import { sql, type SQL } from "drizzle-orm";

/**
 * Entries that count in budgets and reports: the caller's, minus every reversed transaction and its
 * reversal (a reversed expense was never really spent; its reversal is no income). `e` is the alias
 * of `entries` in the enclosing query.
 */
export const effectiveEntries = (uid: string): SQL =>
  sql`e.user_id = ${uid} AND e.reverses_id IS NULL AND e.id NOT IN (SELECT r.reverses_id FROM entries r WHERE r.user_id = ${uid} AND r.reverses_id IS NOT NULL)`;
