import { dumpRows, type ObjectDump } from "#core/object-backup";

/**
 * The rules that make a backup of a running platform consistent, kept apart from the route that
 * exports the objects and D1 (routes/backup.ts).
 *
 * Each object's dump is one point in its own history, but the objects are dumped one after another
 * while payments run, and a payment touches two of them in a fixed order: the source reserves (its
 * `payments` row, state `reserved`), the destination credits (an entry carrying the payment id), then
 * the source posts (state `completed`). Restoring a reserved payment is safe: the ledger's recovery
 * alarm drives it to the end and the credit is applied once per payment id. Two combinations are not:
 * a completed payment whose destination dump has no credit (the destination was dumped before the
 * credit), and a credit whose source dump does not know the payment (the source was dumped before the
 * reserve). In both, the object dumped too early is dumped again: its later state contains the missing
 * step, because that step happened before the one seen on the other side.
 */

export interface LedgerFacts {
  account_id: string;
  /** This account's payments as the source: id → state and destination. */
  sent: Map<string, { state: string; destination: string }>;
  /** Payment ids credited to this account, with the source account named in the credit. */
  credited: Map<string, string | null>;
  /** Entry ids (every entry the D1 projection may hold for this account). */
  entries: Set<string>;
  version: number;
  head_hash: string | null;
}

export function ledgerFacts(accountId: string, dump: ObjectDump): LedgerFacts {
  const sent = new Map<string, { state: string; destination: string }>();
  for (const p of dumpRows(dump, "payments")) {
    let destination = "";
    try {
      destination = (JSON.parse(String(p.body)) as { destination_account_id?: string }).destination_account_id ?? "";
    } catch {}
    sent.set(String(p.id), { state: String(p.state), destination });
  }
  const credited = new Map<string, string | null>();
  const entries = new Set<string>();
  let version = 0;
  let head: string | null = null;
  for (const e of dumpRows(dump, "entries")) {
    entries.add(String(e.id));
    if (e.payment_id && Number(e.amount) > 0)
      credited.set(String(e.payment_id), typeof e.counterparty === "string" ? e.counterparty : null);
    if (Number(e.version) > version) {
      version = Number(e.version);
      head = String(e.hash);
    }
  }
  return { account_id: accountId, sent, credited, entries, version, head_hash: head };
}

/** Accounts to dump again (or for the first time) so that every payment reads the same on both sides. */
export function staleLedgers(ledgers: Map<string, LedgerFacts>): Set<string> {
  const stale = new Set<string>();
  const sources = new Map<string, string>();
  for (const l of ledgers.values()) for (const id of l.sent.keys()) sources.set(id, l.account_id);
  for (const l of ledgers.values()) {
    for (const [id, p] of l.sent)
      if (p.state === "completed" && p.destination && !ledgers.get(p.destination)?.credited.has(id)) stale.add(p.destination);
    for (const [id, source] of l.credited)
      if (!sources.has(id)) {
        // The credit names its source; without a name, every ledger is dumped again (rare: erased text).
        if (source?.startsWith("acc_")) stale.add(source);
        else for (const a of ledgers.keys()) stale.add(a);
      }
  }
  return stale;
}

/**
 * D1 is exported after the last object dump, so its projection holds every row the dumps hold (rows
 * still in an outbox travel inside the dump and are sent again on restore) and possibly newer ones;
 * those newer rows are dropped here, so the backup describes one state. Whether to keep `row`.
 */
export function projectionRow(table: string, row: Record<string, unknown>, known: KnownIds): boolean {
  if (table === "entries") return known.entries.has(String(row.id));
  if (table === "payments") return known.payments.has(String(row.id));
  return true;
}

export interface KnownIds {
  entries: Set<string>;
  payments: Set<string>;
}

export function knownIds(ledgers: Map<string, LedgerFacts>): KnownIds {
  const entries = new Set<string>();
  const payments = new Set<string>();
  for (const l of ledgers.values()) {
    for (const id of l.entries) entries.add(id);
    for (const id of l.sent.keys()) payments.add(id);
  }
  return { entries, payments };
}

/** The manifest's line per account: what a restore must reproduce exactly. */
export function accountManifest(ledgers: Map<string, LedgerFacts>) {
  const out: Record<string, { entries: number; version: number; head_hash: string | null }> = {};
  for (const l of [...ledgers.values()].sort((a, b) => a.account_id.localeCompare(b.account_id)))
    out[l.account_id] = { entries: l.entries.size, version: l.version, head_hash: l.head_hash };
  return out;
}
