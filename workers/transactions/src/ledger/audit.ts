import { verifyChain } from "./chain";

/** What one ledger object holds, as `AccountLedger.snapshot()` returns it (or the script reads it from disk). */
export interface AccountSnapshot {
  meta: { account_id: string; currency: string; overdraft_limit: number | null } | null;
  entries: Record<string, unknown>[];
  holds: Record<string, unknown>[];
  payments: { id: string; state: string }[];
}

/**
 * The ledger check (`npm run ledger:check` and the fault tests): recomputes every balance, version and
 * hash from the entries, checks limits, pairs each payment's two entries, the per-currency sums, and
 * compares the D1 projection with the objects. Returns the differences; empty means consistent.
 */
export function auditLedger(accounts: AccountSnapshot[], projection: Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  const objectEntries = new Map<string, Record<string, unknown>>();
  // BigInt: balances reach ±(2^53 − 1), so sums over accounts would round as numbers.
  const sums = new Map<string, { all: bigint; external: bigint }>();
  const paymentLegs = new Map<string, number[]>();
  const settled = new Map<string, string>();

  for (const a of accounts) {
    if (!a.meta) continue;
    const { account_id, currency, overdraft_limit } = a.meta;
    const chain = verifyChain(a.entries.map((e) => ({ ...(e as any), account_id, currency })));
    if (!chain.valid) problems.push(`${account_id}: ${chain.reason} at version ${chain.broken_at}`);
    const sum = sums.get(currency) ?? { all: 0n, external: 0n };
    for (const e of a.entries) {
      objectEntries.set(e.id as string, { ...e, account_id });
      const amount = e.amount as number;
      sum.all += BigInt(amount);
      if (e.payment_id) paymentLegs.set(e.payment_id as string, [...(paymentLegs.get(e.payment_id as string) ?? []), amount]);
      else sum.external += BigInt(amount);
      if (overdraft_limit !== null && (e.balance_after as number) < -overdraft_limit)
        problems.push(`${account_id}: balance ${e.balance_after} below limit −${overdraft_limit} at version ${e.version}`);
    }
    sums.set(currency, sum);
    for (const p of a.payments) settled.set(p.id, p.state);
    for (const h of a.holds) {
      const state = a.payments.find((p) => p.id === h.payment_id)?.state;
      if (state !== "reserved") problems.push(`${account_id}: hold for ${h.payment_id} left after the payment ${state ?? "vanished"}`);
    }
  }
  for (const [id, state] of settled) {
    const legs = paymentLegs.get(id) ?? [];
    if (state === "reserved") problems.push(`payment ${id} is not settled`);
    else if (state === "completed" && (legs.length !== 2 || legs[0] + legs[1] !== 0))
      problems.push(`payment ${id} completed with legs [${legs}]`);
    else if (state === "failed" && legs.length !== 0) problems.push(`payment ${id} failed but moved money [${legs}]`);
  }
  for (const [currency, s] of sums)
    if (s.all !== s.external) problems.push(`${currency}: entries sum to ${s.all}, external flows to ${s.external}`);

  const projected = new Map(projection.map((r) => [r.id as string, r]));
  for (const [id, e] of objectEntries) {
    const p = projected.get(id);
    if (!p) problems.push(`entry ${id} missing from the D1 projection`);
    else
      for (const k of ["account_id", "version", "amount", "balance_after", "hash"])
        if (p[k] !== e[k]) problems.push(`entry ${id}: projection ${k}=${p[k]} but object ${k}=${e[k]}`);
  }
  for (const id of projected.keys()) if (!objectEntries.has(id)) problems.push(`projection has ${id}, which no ledger object holds`);
  return problems;
}
