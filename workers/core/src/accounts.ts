import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { accounts } from "../../../db/schema";
import { ApiError } from "./errors";

export type AccountRow = typeof accounts.$inferSelect;

/** The caller's account from D1, or 404 whether it is absent or someone else's (never reveal ids). */
export async function ownedAccount(db: D1Database, accountId: string, userId: string, what = "account"): Promise<AccountRow> {
  const row = await drizzle(db)
    .select()
    .from(accounts)
    .where(and(eq(accounts.id, accountId), eq(accounts.userId, userId)))
    .get();
  if (!row) throw new ApiError("not_found", `No such ${what}.`);
  return row;
}
