import { ENTRY_TEXT_LIMITS, MAX_AMOUNT, currencySchema, z, type Movement } from "#core";

/** What a payment and a scheduled payment both move, as the API shows it. */
export const movementFields = {
  source_account_id: z.string(),
  destination_account_id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  description: z.string().nullable(),
};

/** The same fields in a request, checked alike for a payment now and one scheduled. */
export const newMovementFields = {
  source_account_id: z.string().min(1).max(64),
  destination_account_id: z.string().min(1).max(64),
  amount: z.number().int().positive().max(MAX_AMOUNT),
  currency: currencySchema,
  description: z.string().trim().min(1).max(ENTRY_TEXT_LIMITS.description).optional(), // becomes both legs' entry description
};

/** Money does not move from an account to itself. */
export const distinctAccounts = <T extends z.ZodType<{ source_account_id: string; destination_account_id: string }>>(body: T) =>
  body.refine((b) => b.source_account_id !== b.destination_account_id, {
    path: ["destination_account_id"],
    message: "must differ from source_account_id",
  });

/** The movement fields of a stored payment or schedule row (D1 or a schedule object's SQLite). */
export const movementOf = (r: Record<string, unknown>): Movement => ({
  source_account_id: r.source_account_id as string,
  destination_account_id: r.destination_account_id as string,
  amount: r.amount as number,
  currency: r.currency as string,
  description: (r.description as string | null) ?? null,
});
