import {
  ApiError,
  ENTRY_TEXT_LIMITS,
  amountSchema,
  isIsoDate,
  isKnownCategory,
  ledgerStub,
  z,
  pathId,
  type LedgerEntry,
  type LedgerRpc,
} from "#core";
import type { Env } from "../env";

export const ledger = (env: Env, accountId: string) => ledgerStub<LedgerRpc>(env.LEDGER, accountId);

export const notFound = (what = "account") => new ApiError("not_found", `No such ${what}.`);

export const occurredAtSchema = z
  .string()
  .refine(
    (v) =>
      v.length === 10 ? isIsoDate(v) : isIsoDate(v.slice(0, 10)) && z.iso.datetime({ offset: true, local: true }).safeParse(v).success,
    {
      message: "must be an ISO 8601 date (YYYY-MM-DD) or date-time",
    },
  )
  .openapi({ example: "2026-11-27" });

export const categoryField = z
  .string()
  .min(1)
  .max(ENTRY_TEXT_LIMITS.category)
  .openapi({ example: "groceries", description: "a taxonomy code or one of your own categories" });

/** A category the caller may use: a taxonomy code (checked in memory) or one of their own (D1). */
export async function checkCategory(env: Env, userId: string, category: string) {
  if (!(await isKnownCategory(env.DB, userId, category)))
    throw new ApiError("validation_failed", "Unknown category.", { errors: [{ path: "category", message: "not a known category" }] });
}

export const transactionSchema = z
  .object({
    id: z.string(),
    account_id: z.string(),
    amount: amountSchema,
    currency: z.string(),
    description: z.string(),
    category: z.string(),
    category_status: z.enum(["pending", "final"]).openapi({
      description:
        "`final` once the category is settled. A transaction recorded without a category is categorised by its ledger object (your rules, then the model, else `other`); with `Prefer: respond-async` it answers at once with `other` and `pending`, and the category is filled in right after",
    }),
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

export const toTransaction = (e: LedgerEntry): Transaction => ({
  id: e.id,
  account_id: e.account_id,
  amount: e.amount,
  currency: e.currency,
  description: e.description,
  category: e.category,
  category_status: e.category_status,
  counterparty: e.counterparty ?? null,
  notes: e.notes ?? null,
  occurred_at: e.occurred_at,
  external_id: e.external_id ?? null,
  payment_id: e.payment_id ?? null,
  reverses_id: e.reverses_id ?? null,
  balance_after: e.balance_after,
  version: e.version,
  created_at: e.created_at,
});

export const accountParams = pathId({ example: "acc_01jd…" });
