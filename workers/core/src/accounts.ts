import { ApiError } from "./errors";

export interface OwnedAccount {
  id: string;
  user_id: string;
  currency: string;
  status: "open" | "closed";
}

/** The caller's account from D1, or 404 whether it is absent or someone else's (never reveal ids). */
export async function ownedAccount(db: D1Database, accountId: string, userId: string, what = "account"): Promise<OwnedAccount> {
  const row = await db.prepare("SELECT id, user_id, currency, status FROM accounts WHERE id = ? AND user_id = ?").bind(accountId, userId).first<OwnedAccount>();
  if (!row) throw new ApiError("not_found", `No such ${what}.`);
  return row;
}
