import { createHash } from "node:crypto";

/**
 * The hash chain over a ledger's entries: each entry's hash is SHA-256 of the previous hash and the
 * entry's immutable fields. node:crypto is synchronous, so hashing never opens the input gate between
 * the balance check and the insert.
 */
export const GENESIS_HASH = "0".repeat(64);

export interface ChainedFields {
  id: string;
  account_id: string;
  version: number;
  amount: number;
  currency: string;
  occurred_at: string;
  external_id: string | null;
  payment_id: string | null;
  reverses_id: string | null;
  balance_after: number;
  created_at: string;
}

export function entryHash(prevHash: string, e: ChainedFields): string {
  const canonical = JSON.stringify([
    prevHash,
    e.id,
    e.account_id,
    e.version,
    e.amount,
    e.currency,
    e.occurred_at,
    e.external_id,
    e.payment_id,
    e.reverses_id,
    e.balance_after,
    e.created_at,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** Recomputes versions, running balances and hashes; reports the first break. */
export function verifyChain(entries: (ChainedFields & { hash: string })[]) {
  let prev = GENESIS_HASH;
  let balance = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    balance += e.amount;
    if (e.version !== i + 1) return { valid: false, head_hash: prev, broken_at: e.version, reason: "version gap" };
    if (e.balance_after !== balance) return { valid: false, head_hash: prev, broken_at: e.version, reason: "balance mismatch" };
    if (entryHash(prev, e) !== e.hash) return { valid: false, head_hash: prev, broken_at: e.version, reason: "hash mismatch" };
    prev = e.hash;
  }
  return { valid: true, head_hash: prev, balance };
}
