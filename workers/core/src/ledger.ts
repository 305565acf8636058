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
    | "insufficient_funds" | "account_closed" | "currency_mismatch" | "conflict" | "not_found" | "validation_failed"
    | "idempotency_key_reused" | "idempotency_request_in_progress";
  detail: string;
};

/** What a money-moving call answers; `replayed` when the idempotency key had been seen with this request. */
export type LedgerOutcome<T> = (({ ok: true } & T) | LedgerFailure) & { replayed?: boolean };

export interface PaymentRequest {
  id: string;
  user_id: string;
  destination_user_id: string;
  source_account_id: string;
  destination_account_id: string;
  amount: number;
  currency: string;
  description: string | null;
  idem: { key: string; fingerprint: string };
}

export interface PaymentView {
  id: string;
  status: "pending" | "completed" | "failed";
  source_account_id: string;
  destination_account_id: string;
  amount: number;
  currency: string;
  description: string | null;
  created_at: string;
}

/** What a deleted user's own words are replaced with (entries, account and client names). */
export const ERASED_TEXT = "[erased]";

/** A completed payment a deleted user sent with a description: the payee's leg still carries that text. */
export interface SentPaymentText {
  payment_id: string;
  destination_account_id: string;
  description: string;
}

export interface LedgerRpc {
  open(account: LedgerAccount): Promise<LedgerBalance>;
  balance(): Promise<LedgerBalance & { status: "open" | "closed" }>;
  close(): Promise<{ ok: true } | LedgerFailure>;
  /** Runs on the source account's object: reserve, credit the destination, post or void. */
  pay(input: PaymentRequest): Promise<LedgerOutcome<{ payment: PaymentView }>>;
  /** The owner is being deleted: finish payments in flight, then refuse incoming money, whatever the balance. */
  closeForDeletion(): Promise<({ ok: true; sent: SentPaymentText[] }) | LedgerFailure>;
  /** Erases the owner's text from a closed account (entries, payment bodies, idempotency records, D1 projection). */
  erase(): Promise<{ ok: true } | LedgerFailure>;
  /** On a payee's account: the payer was deleted, so their descriptions give way to the ledger's own wording. */
  eraseCounterparty(payments: SentPaymentText[]): Promise<{ ok: true }>;
}

/** The ledger object of one account (objects are named by account id). */
export function ledgerStub<T = LedgerRpc>(ns: DurableObjectNamespace<any>, accountId: string): T {
  const plain = ns as unknown as { get(id: DurableObjectId): unknown; idFromName(name: string): DurableObjectId };
  return plain.get(plain.idFromName(accountId)) as T;
}

/**
 * Longest value (JS string length) of each stored text field of an entry. Every input path (JSON
 * bodies, CSV, OFX) refuses a longer value and the ledger object refuses it again before writing, so an
 * entry and its outbox row always fit in one SQLite row. external_id allows 255, the length of an OFX FITID.
 */
export const ENTRY_TEXT_LIMITS = { description: 500, counterparty: 200, notes: 2000, external_id: 255, category: 64 } as const;
export type EntryTextField = keyof typeof ENTRY_TEXT_LIMITS;
