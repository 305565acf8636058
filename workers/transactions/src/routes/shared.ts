import { ApiError, ENTRY_TEXT_LIMITS, amountSchema, isIsoDate, isKnownCategory, ledgerStub, z, type LedgerEntry } from "../../../core/src";
import type { Env } from "../env";
import type { AccountLedger } from "../ledger/account-ledger";

export const ledger = (env: Env, accountId: string) => ledgerStub<DurableObjectStub<AccountLedger>>(env.LEDGER, accountId);

export const occurredAtSchema = z
  .string()
  .refine((v) => (v.length === 10 ? isIsoDate(v) : isIsoDate(v.slice(0, 10)) && z.iso.datetime({ offset: true, local: true }).safeParse(v).success), {
    message: "must be an ISO 8601 date (YYYY-MM-DD) or date-time",
  })
  .openapi({ example: "2026-11-27" });

export const categoryField = z.string().min(1).max(ENTRY_TEXT_LIMITS.category).openapi({ example: "groceries", description: "a taxonomy code or one of your own categories" });

/** A category the caller may use: a taxonomy code or one of their own. */
export async function checkCategory(env: Env, userId: string, category: string) {
  if (!(await isKnownCategory(env.DB, userId, category))) throw new ApiError("validation_failed", "Unknown category.", [{ path: "category", message: "not a known category" }]);
}

export const transactionSchema = z
  .object({
    id: z.string(),
    account_id: z.string(),
    amount: amountSchema,
    currency: z.string(),
    description: z.string(),
    category: z.string(),
    counterparty: z.string().nullable(),
    notes: z.string().nullable(),
    occurred_at: z.string(),
    external_id: z.string().nullable(),
    payment_id: z.string().nullable(),
    reverses_id: z.string().nullable(),
    balance_after: z.number().int(),
    version: z.number().int(),
    created_at: z.string(),
  })
  .openapi("Transaction");

export type Transaction = z.infer<typeof transactionSchema>;

export const toTransaction = (e: LedgerEntry | Record<string, unknown>): Transaction => {
  const r = e as Record<string, any>;
  return {
    id: r.id,
    account_id: r.account_id,
    amount: r.amount,
    currency: r.currency,
    description: r.description,
    category: r.category,
    counterparty: r.counterparty ?? null,
    notes: r.notes ?? null,
    occurred_at: r.occurred_at,
    external_id: r.external_id ?? null,
    payment_id: r.payment_id ?? null,
    reverses_id: r.reverses_id ?? null,
    balance_after: r.balance_after,
    version: r.version,
    created_at: r.created_at,
  };
};

export const accountParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "acc_01jd…" }) });
