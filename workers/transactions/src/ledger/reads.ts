import type { AccountMeta, EntryQuery, LedgerEntry } from "#core";

/** What the object knows of its account (one row, written by open()). */
export type Meta = AccountMeta;

/** An entries row of the object's SQLite as the API's entry: the account's fields come from meta. */
export function toEntry(m: Meta, r: Record<string, SqlStorageValue>): LedgerEntry {
  return {
    id: r.id as string,
    account_id: m.account_id,
    user_id: m.user_id,
    version: r.version as number,
    amount: r.amount as number,
    currency: m.currency,
    description: r.description as string,
    category: r.category as string,
    category_status: (r.category_status as LedgerEntry["category_status"]) ?? "final",
    counterparty: r.counterparty as string | null,
    notes: r.notes as string | null,
    occurred_at: r.occurred_at as string,
    external_id: r.external_id as string | null,
    payment_id: r.payment_id as string | null,
    reverses_id: r.reverses_id as string | null,
    import_id: r.import_id as string | null,
    balance_after: r.balance_after as number,
    hash: r.hash as string,
    created_at: r.created_at as string,
  };
}

/** `%`, `_` and `\` match themselves in a LIKE pattern. */
const likeLiteral = (text: string) => `%${text.replace(/[\\%_]/g, (m) => "\\" + m)}%`;

/**
 * The SQL of one page of entries, newest first: by version, the account's own order (entries written
 * in the same millisecond keep it). The cursor is the same opaque (created_at, id) as everywhere; the
 * id names the last entry of the previous page, whose version the page continues below.
 */
export function entryPageQuery(q: EntryQuery): { sql: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.from) where.push("occurred_date >= ?"), args.push(q.from);
  if (q.to) where.push("occurred_date <= ?"), args.push(q.to);
  if (q.category) where.push("category = ?"), args.push(q.category);
  if (q.q) where.push("description LIKE ? ESCAPE '\\'"), args.push(likeLiteral(q.q));
  if (q.after) where.push("version < (SELECT version FROM entries WHERE id = ?)"), args.push(q.after.id);
  const limit = Math.max(1, Math.min(101, Math.floor(q.limit)));
  return {
    sql: `SELECT * FROM entries${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY version DESC LIMIT ${limit}`,
    args,
  };
}
