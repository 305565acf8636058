import type { IdempotencyKey } from "./idempotency";
import { namedStub } from "./rpc-binding";

/**
 * The RPC surface of the AccountLedger Durable Object (one per account, implemented in
 * workers/transactions). Other workers bind the class by name and call it through this type only,
 * so no domain imports another.
 */
export interface LedgerAccount {
  id: string;
  user_id: string;
  currency: string;
  overdraft_limit: number | null;
  created_at: string;
}

export interface LedgerBalance {
  current: number;
  available: number | null; // null when the account has no limit
  pending: number; // pending debits (reserved by payments in flight)
  version: number;
  as_of: string;
}

export interface LedgerEntry {
  id: string;
  account_id: string;
  user_id: string;
  version: number;
  amount: number;
  currency: string;
  description: string;
  category: string;
  /** "pending" while the object is still choosing a category for an entry recorded without one. */
  category_status: "pending" | "final";
  counterparty: string | null;
  notes: string | null;
  occurred_at: string;
  external_id: string | null;
  payment_id: string | null;
  reverses_id: string | null;
  import_id: string | null;
  balance_after: number;
  hash: string;
  created_at: string;
}

export type LedgerFailure = {
  ok: false;
  code:
    | "insufficient_funds"
    | "account_closed"
    | "currency_mismatch"
    | "conflict"
    | "not_found"
    | "validation_failed"
    | "idempotency_key_reused"
    | "idempotency_request_in_progress";
  detail: string;
};

/** What every ledger call that can refuse answers; `replayed` when the idempotency key had been seen with this request. */
export type LedgerOutcome<T = {}> = (({ ok: true } & T) | LedgerFailure) & { replayed?: boolean };

/** A new entry as the routes hand it over. Without `category`, the object categorises it (rules, model, else `other`). */
export interface EntryInput {
  amount: number;
  description: string;
  category?: string;
  counterparty?: string | null;
  notes?: string | null;
  occurred_at: string;
  external_id?: string | null;
  import_id?: string | null;
}

export interface RecordRequest extends EntryInput {
  idem?: IdempotencyKey;
  /** For an entry without a category: "before" answers once it has one; "after" answers at once with it pending. */
  categorize?: "before" | "after";
}

/** How a batch of a statement is imported (see AccountLedger.importRows). */
export interface ImportOptions {
  /** Per row without external_id: its 1-based rank among the file's rows of the same (date, amount, description). */
  occurrences?: number[];
  /** Check everything and write nothing. */
  dry_run?: boolean;
  /** Dry run only: the sum the file's earlier batches would have moved, so limits are checked as if they had. */
  prior_delta?: number;
}

export interface ImportRowResult {
  status: "imported" | "duplicate" | "failed";
  message?: string;
}

/** The statement formats an import reads. */
export const IMPORT_FORMATS = ["csv", "ofx", "qif", "camt.053"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** What an import answers (201), and what its Idempotency-Key replays. */
export interface ImportSummary {
  id: string;
  format: ImportFormat;
  imported: number;
  duplicates: number;
  failed: number;
  errors: { line: number; message: string }[];
}

/** One page of an account's entries, newest first, keyset over (created_at, id); `limit` rows at most. */
export interface EntryQuery {
  limit: number;
  after?: { t: string; id: string };
  from?: string;
  to?: string;
  category?: string;
  q?: string;
}

export interface EntryPatch {
  category?: string;
  description?: string;
  notes?: string | null;
}

export interface PaymentRequest extends Movement {
  id: string;
  /** The caller: the source account must be theirs. */
  user_id: string;
  idem: IdempotencyKey;
}

/** Destination side of a payment; the answer names the destination's owner for the payment's projection. */
export interface CreditRequest {
  payment_id: string;
  amount: number;
  currency: string;
  description: string;
  counterparty: string;
}

/** What a payment moves, from which account to which: a payment's, a request's and a schedule's fields. */
export interface Movement {
  source_account_id: string;
  destination_account_id: string;
  amount: number;
  currency: string;
  description: string | null;
}

export interface PaymentView extends Movement {
  id: string;
  status: "pending" | "completed" | "failed";
  created_at: string;
}

/** The live balance of an account, with what the object knows of it. */
export interface AccountBalance extends LedgerBalance {
  status: "open" | "closed";
  currency: string;
}

export interface Verification {
  entries: number;
  head_hash: string;
  valid: boolean;
}

/** What a deleted user's own words are replaced with (entries, account and client names). */
export const ERASED_TEXT = "[erased]";

/** A completed payment a deleted user sent with a description: the payee's leg still carries that text. */
export interface SentPaymentText {
  payment_id: string;
  destination_account_id: string;
  description: string;
}

/** What an account's ledger object knows of its account (written by open()). */
export interface AccountMeta {
  account_id: string;
  user_id: string;
  currency: string;
  overdraft_limit: number | null;
  status: "open" | "closed";
  created_at: string;
}

/** Everything the ledger check needs to recompute one account independently. */
export interface LedgerSnapshot {
  meta: AccountMeta | null;
  entries: Record<string, unknown>[];
  holds: Record<string, unknown>[];
  payments: { id: string; state: string }[];
  outbox: number;
}

/**
 * `caller` is the user a route acts for: the object answers not_found (or null) when the account is
 * not theirs, exactly as when it does not exist. Platform-internal calls (account creation, user
 * deletion, the ledger check) omit it.
 */
export interface LedgerRpc {
  open(account: LedgerAccount): Promise<LedgerBalance>;
  /** Without a caller, an account never opened reads as empty and open. */
  balance(): Promise<AccountBalance>;
  balance(caller: string): Promise<AccountBalance | null>;
  verify(caller?: string): Promise<Verification | null>;
  snapshot(): Promise<LedgerSnapshot>;
  record(input: RecordRequest, caller?: string): Promise<LedgerOutcome<{ entry: LedgerEntry }>>;
  /** Imports: the same rules as record, one synchronous call per batch of rows. */
  importRows(rows: EntryInput[], caller?: string, options?: ImportOptions): Promise<ImportRowResult[]>;
  /** An import under an Idempotency-Key: its stored answer or a refusal (reused, in progress), or nothing, the key then marked running. */
  beginImport(idem: IdempotencyKey, caller: string): Promise<LedgerOutcome<{ import: ImportSummary }> | undefined>;
  /** The import's answer, kept for its key. */
  finishImport(idem: IdempotencyKey, summary: ImportSummary, caller: string): Promise<void>;
  /** A page of entries (at most `limit` rows), or null when the account is not the caller's. */
  list(query: EntryQuery, caller?: string): Promise<LedgerEntry[] | null>;
  get(entryId: string, caller?: string): Promise<LedgerEntry | null>;
  patch(entryId: string, fields: EntryPatch, caller?: string): Promise<LedgerEntry | null>;
  reverse(entryId: string, idem?: IdempotencyKey, caller?: string): Promise<LedgerOutcome<{ entry: LedgerEntry }>>;
  close(): Promise<LedgerOutcome>;
  /** Runs on the source account's object: reserve, credit the destination, post or void. */
  pay(input: PaymentRequest): Promise<LedgerOutcome<{ payment: PaymentView }>>;
  /**
   * A payment this account sent, or was credited by another user, if `caller` owns the account (a
   * refused one is none: its id was never given out).
   */
  payment(paymentId: string, caller: string): Promise<PaymentView | null>;
  credit(input: CreditRequest): Promise<LedgerOutcome<{ user_id: string }>>;
  /** The owner is being deleted: finish payments in flight, then refuse incoming money, whatever the balance. */
  closeForDeletion(): Promise<LedgerOutcome<{ sent: SentPaymentText[] }>>;
  /** Erases the owner's text from a closed account (entries, payment bodies, idempotency records, D1 projection). */
  erase(): Promise<LedgerOutcome>;
  /** On a payee's account: the payer was deleted, so their descriptions give way to the ledger's own wording. */
  eraseCounterparty(payments: SentPaymentText[]): Promise<{ ok: true }>;
}

/** The ledger object of one account (objects are named by account id). */
export function ledgerStub<T = LedgerRpc>(ns: DurableObjectNamespace<any>, accountId: string): T {
  return namedStub<T>(ns, accountId);
}

/** How many of a user's account objects are asked at once for a row D1 does not hold yet. */
const FAN_OUT = 10;

/**
 * The first answer other than null of the user's account objects to `ask`, newest account first: for
 * a row too new to be projected (ids carry no account), so a client reads its write at once.
 */
export async function askAccounts<T>(
  db: D1Database,
  ns: DurableObjectNamespace<any>,
  userId: string,
  ask: (ledger: LedgerRpc) => Promise<T | null>,
): Promise<T | null> {
  const accounts = (
    await db.prepare("SELECT id FROM accounts WHERE user_id = ? ORDER BY created_at DESC, id DESC").bind(userId).all<{ id: string }>()
  ).results;
  for (let i = 0; i < accounts.length; i += FAN_OUT) {
    const found = await Promise.all(accounts.slice(i, i + FAN_OUT).map((a) => ask(ledgerStub(ns, a.id))));
    const hit = found.find((x) => x !== null);
    if (hit !== undefined) return hit;
  }
  return null;
}

/**
 * Longest value (JS string length) of each stored text field of an entry. Every input path (JSON
 * bodies, CSV, OFX) refuses a longer value and the ledger object refuses it again before writing, so an
 * entry and its outbox row always fit in one SQLite row. external_id allows 255, the length of an OFX FITID.
 */
export const ENTRY_TEXT_LIMITS = { description: 500, counterparty: 200, notes: 2000, external_id: 255, category: 64 } as const;
export type EntryTextField = keyof typeof ENTRY_TEXT_LIMITS;
