import { and, eq } from "drizzle-orm";
import { accounts } from "../../../../db/schema";
import {
  ApiError,
  MAX_AMOUNT,
  currencySchema,
  keyset,
  ledgerStub,
  newId,
  ownedAccount,
  page,
  z,
  resourceRoutes,
  type AccountRow,
  type LedgerRpc,
} from "#core";
import type { Env, FinanceApp } from "../env";
import { db, idParam, nameSchema, userId, type Ctx } from "./shared";

export const ACCOUNT_TYPES = ["checking", "savings", "credit_card", "cash", "investment", "loan"] as const;

const overdraftSchema = z
  .number()
  .int("must be an integer number of minor units")
  .min(0)
  .max(MAX_AMOUNT)
  .nullable()
  .openapi({ example: 0, description: "How far below zero the balance may go, in minor units; `null` for no limit" });

const createSchema = z
  .strictObject({
    name: nameSchema().openapi({ example: "Everyday account" }),
    type: z.enum(ACCOUNT_TYPES).openapi({ example: "checking" }),
    currency: currencySchema,
    overdraft_limit: overdraftSchema.default(0),
  })
  .openapi("AccountCreate");

const updateSchema = z
  .strictObject({ name: nameSchema().optional().openapi({ example: "Joint account" }) })
  .openapi("AccountUpdate", { description: "Only the name can change; anything else → 422." });

export const accountSchema = z
  .object({
    id: z.string().openapi({ example: "acc_01jz3k5m7q8r9s0t1v2w3x4y5z" }),
    name: z.string(),
    type: z.enum(ACCOUNT_TYPES),
    currency: z.string().openapi({ example: "EUR" }),
    overdraft_limit: z.number().int().nullable(),
    status: z.enum(["open", "closed"]),
    balance: z
      .object({
        current: z.number().int(),
        available: z
          .number()
          .int()
          .nullable()
          .openapi({ description: "current − pending debits + overdraft_limit; null when there is no limit" }),
        pending: z.number().int().openapi({ description: "Debits reserved by payments in flight" }),
      })
      .openapi({
        description:
          "GET /v1/accounts/{id} (and every write here) reads it from the account's ledger object: strongly consistent. GET /v1/accounts lists the balances the objects project into D1 after each change, which may lag an answered write by up to a second",
      }),
    created_at: z.string().openapi({ example: "2025-06-18T10:00:00.000Z" }),
  })
  .openapi("Account");
export type AccountView = z.infer<typeof accountSchema>;

const ledger = (env: Env, id: string) => ledgerStub<LedgerRpc>(env.LEDGER, id);

/** The account as the API shows it: the D1 row plus the balance and status of its ledger object. */
export async function accountView(env: Env, row: AccountRow): Promise<AccountView> {
  const b = await ledger(env, row.id).balance();
  // The object is authoritative: it may be closed while the D1 update of a close is still to be retried.
  return view(row, b);
}

/** Without `live`, the balance the ledger object last projected into the row (the list: no object call per row). */
function view(
  row: AccountRow,
  live?: { current: number; available: number | null; pending: number; status: "open" | "closed" },
): AccountView {
  const current = live?.current ?? row.balanceCurrent;
  const pending = live?.pending ?? row.balancePending;
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    currency: row.currency,
    overdraft_limit: row.overdraftLimit,
    status: live?.status === "closed" || row.status === "closed" ? "closed" : "open",
    balance: {
      current,
      available: live ? live.available : row.overdraftLimit === null ? null : current - pending + row.overdraftLimit,
      pending,
    },
    created_at: row.createdAt,
  };
}

/** The caller's account, or 404 for an unknown id and for anybody else's (never revealing which). */
const ownAccount = (c: Ctx, id: string) => ownedAccount(c.env.DB, id, userId(c));

const account = resourceRoutes({
  path: "/v1/accounts",
  tags: ["accounts"],
  params: idParam("acc", "01jz3k5m7q8r9s0t1v2w3x4y5z"),
  item: accountSchema,
  read: "accounts:read",
  write: "accounts:write",
});

export const createAccountRoute = account.create({
  summary: "Open an account",
  description:
    "Creates the account and its ledger (one Durable Object per account). `overdraft_limit` defaults to 0 (the balance may not go below zero); `null` removes the limit.",
  body: { schema: createSchema, description: "The new account" },
  answer: "The account, with its (zero) balance",
});

export const listAccountsRoute = account.list({
  summary: "List your accounts, newest first",
  description:
    "A cross-account view read from D1: balances are the ones the ledger objects project after each change (they may lag a write by up to a second); GET /v1/accounts/{id} reads the live balance.",
  page: { name: "AccountPage", description: "One page of accounts" },
});

export const getAccountRoute = account.get({
  summary: "Get one account with its current balance",
  answer: "The account",
});

export const updateAccountRoute = account.update({
  summary: "Rename an account",
  body: { schema: updateSchema, description: "The fields to change" },
  answer: "The updated account",
});

export const closeAccountRoute = account.action("close", {
  summary: "Close an account (only at zero balance with nothing pending)",
  description:
    "Closing an already closed account answers 200 with the account. A non-zero balance or a payment in flight → 409 `conflict`.",
  answer: "The closed account",
  conflict: "The balance is not zero or a payment is in flight",
});

export function registerAccounts(app: FinanceApp) {
  app.openapi(createAccountRoute, async (c) => {
    const body = c.req.valid("json");
    const row: AccountRow = {
      id: newId("acc"),
      userId: userId(c),
      name: body.name,
      type: body.type,
      currency: body.currency,
      overdraftLimit: body.overdraft_limit,
      status: "open",
      createdAt: new Date().toISOString(),
      closedAt: null,
      balanceCurrent: 0,
      balancePending: 0,
      balanceVersion: 0,
    };
    await db(c).insert(accounts).values(row);
    try {
      await ledger(c.env, row.id).open({
        id: row.id,
        user_id: row.userId,
        currency: row.currency,
        overdraft_limit: row.overdraftLimit,
        created_at: row.createdAt,
      });
    } catch (e) {
      // Without its ledger the account is unusable: take the row back so it never shows up half-made.
      await db(c)
        .delete(accounts)
        .where(eq(accounts.id, row.id))
        .catch(() => undefined);
      throw e;
    }
    return c.json(await accountView(c.env, row), 201);
  });

  app.openapi(listAccountsRoute, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const k = keyset(accounts.createdAt, accounts.id, cursor);
    const rows = await db(c)
      .select()
      .from(accounts)
      .where(and(eq(accounts.userId, userId(c)), k.after))
      .orderBy(...k.order)
      .limit(limit + 1);
    const { data, next_cursor } = page(rows, limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ data: data.map((r) => view(r)), next_cursor }, 200);
  });

  app.openapi(getAccountRoute, async (c) => {
    const row = await ownAccount(c, c.req.valid("param").id);
    return c.json(await accountView(c.env, row), 200);
  });

  app.openapi(updateAccountRoute, async (c) => {
    const row = await ownAccount(c, c.req.valid("param").id);
    const { name } = c.req.valid("json");
    if (name !== undefined && name !== row.name) {
      await db(c)
        .update(accounts)
        .set({ name })
        .where(and(eq(accounts.id, row.id), eq(accounts.userId, row.userId)));
      row.name = name;
    }
    return c.json(await accountView(c.env, row), 200);
  });

  app.openapi(closeAccountRoute, async (c) => {
    const row = await ownAccount(c, c.req.valid("param").id);
    const result = await ledger(c.env, row.id).close();
    if (!result.ok) {
      if (result.code === "conflict") throw new ApiError("conflict", result.detail);
      if (result.code === "not_found") throw new ApiError("not_found", "No such account.");
      throw new ApiError(result.code, result.detail);
    }
    if (row.status !== "closed") {
      const closedAt = new Date().toISOString();
      await db(c).update(accounts).set({ status: "closed", closedAt }).where(eq(accounts.id, row.id));
      row.status = "closed";
      row.closedAt = closedAt;
    }
    return c.json(await accountView(c.env, row), 200);
  });
}
