import type { OpenAPIHono } from "@hono/zod-openapi";
import {
  ENTRY_TEXT_LIMITS as LIMITS,
  askAccounts,
  MAX_AMOUNT,
  amountSchema,
  decodeCursor,
  defineRoute,
  idempotencyKey,
  jsonBody,
  jsonResponse,
  outcomeResponse,
  page,
  paginationQuery,
  problemDoc,
  z,
  getRoute,
  listRoute,
  pathId,
  type AppEnv,
  type LedgerEntry,
} from "#core";
import type { Env } from "../env";
import { occurredDate } from "../ledger/rules";
import {
  accountParams,
  categoryField,
  checkCategory,
  ledger,
  notFound,
  occurredAtSchema,
  toTransaction,
  transactionSchema,
} from "./shared";

const txnParams = pathId();

const createBody = z
  .strictObject({
    amount: amountSchema.refine((a) => a !== 0, "must not be zero"),
    description: z.string().trim().min(1).max(LIMITS.description),
    category: categoryField.optional(),
    counterparty: z.string().max(LIMITS.counterparty).optional(),
    occurred_at: occurredAtSchema.optional(),
    external_id: z.string().min(1).max(LIMITS.external_id).optional(),
    notes: z.string().max(LIMITS.notes).optional(),
  })
  .openapi("NewTransaction");

export const createTransaction = defineRoute({
  method: "post",
  path: "/v1/accounts/{id}/transactions",
  tags: ["transactions"],
  summary: "Record income (positive) or an expense (negative)",
  description:
    `Amounts are signed integers in minor units, |amount| ≤ ${MAX_AMOUNT}. An outflow past \`available\` → 422 insufficient_funds and nothing is recorded. Optional Idempotency-Key. ` +
    "Without `category`, the account's ledger object chooses one (your rules, then the model, else `other`): by default the answer waits for it (`category_status: final`; the money is recorded first, so nothing else waits); " +
    "with `Prefer: respond-async` the answer comes at once with `category: other, category_status: pending` and the category is filled in right after (read it back with GET /v1/transactions/{id}).",
  scope: "transactions:write",
  request: {
    params: accountParams,
    headers: z.object({
      "idempotency-key": z.string().max(255).optional(),
      prefer: z.string().optional().openapi({ example: "respond-async" }),
    }),
    ...jsonBody(createBody),
  },
  responses: { 201: jsonResponse(transactionSchema, "The recorded transaction") },
});

/** A bound of the list (inclusive): a date, or a date-time taken as its date, as an entry's occurred_at is. */
const dateBound = occurredAtSchema.transform(occurredDate).openapi({ example: "2026-11-01" });

const listQuery = paginationQuery.extend({
  from: dateBound.optional(),
  to: dateBound.optional(),
  category: z.string().max(LIMITS.category).optional(),
  q: z.string().max(200).optional(),
});

export const listTransactions = listRoute({
  path: "/v1/accounts/{id}/transactions",
  tags: ["transactions"],
  summary: "List an account's transactions, newest first",
  description: "Served by the account's ledger object: every answered write is in the list at once.",
  scope: "transactions:read",
  params: accountParams,
  query: listQuery,
  page: { item: transactionSchema, description: "A page of transactions" },
});

export const getTransaction = getRoute({
  path: "/v1/transactions/{id}",
  tags: ["transactions"],
  summary: "Get a transaction",
  scope: "transactions:read",
  params: txnParams,
  item: { schema: transactionSchema, description: "The transaction" },
});

const patchBody = z
  .strictObject({
    category: categoryField.optional(),
    description: z.string().trim().min(1).max(LIMITS.description).optional(),
    notes: z.string().max(LIMITS.notes).nullable().optional(),
  })
  .openapi("TransactionPatch");

export const patchTransaction = defineRoute({
  method: "patch",
  path: "/v1/transactions/{id}",
  tags: ["transactions"],
  summary: "Change a transaction's category, description or notes (amounts are immutable)",
  scope: "transactions:write",
  request: { params: txnParams, ...jsonBody(patchBody) },
  responses: { 200: jsonResponse(transactionSchema, "The updated transaction") },
});

export const reverseTransaction = defineRoute({
  method: "post",
  path: "/v1/transactions/{id}/reverse",
  tags: ["transactions"],
  summary: "Reverse a transaction with an entry of the opposite amount",
  scope: "transactions:write",
  request: { params: txnParams },
  responses: {
    201: jsonResponse(transactionSchema, "The reversing transaction"),
    409: problemDoc("Already reversed, a reversal, or a payment entry (conflict)"),
  },
});

/**
 * The account holding the caller's transaction `id`, or 404. Ids carry no account, so the D1
 * projection names it (one primary-key read); a transaction too new to be projected is found by
 * asking the caller's own accounts' objects, so a client reads its write at once.
 */
async function entryAccount(env: Env, id: string, userId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT account_id FROM entries WHERE id = ? AND user_id = ?")
    .bind(id, userId)
    .first<{ account_id: string }>();
  if (row) return row.account_id;
  const hit = await askAccounts(env.DB, env.LEDGER, userId, (l) => l.get(id, userId));
  if (hit) return hit.account_id;
  throw notFound("transaction");
}

/** The caller's transaction, read from its account's object. */
async function ownedEntry(env: Env, id: string, userId: string): Promise<LedgerEntry> {
  const entry = await ledger(env, await entryAccount(env, id, userId)).get(id, userId);
  if (!entry) throw notFound("transaction");
  return entry;
}

/** RFC 7240: the client asks not to wait for work that can finish after the answer. */
const respondAsync = (prefer: string | undefined) =>
  !!prefer && prefer.split(",").some((p) => p.trim().toLowerCase().split(/\s*;/)[0] === "respond-async");

export function registerTransactions(app: OpenAPIHono<AppEnv<Env>>) {
  app.openapi(createTransaction, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const user = c.get("identity").sub;
    const idem = await idempotencyKey(c, body);
    // A taxonomy code is checked in memory; only a category of the user's own needs D1.
    if (body.category) await checkCategory(c.env, user, body.category);
    // Ownership, status, limit and the category of an uncategorised entry: all the object's business.
    const outcome = await ledger(c.env, id).record(
      {
        ...body,
        occurred_at: body.occurred_at ?? new Date().toISOString().slice(0, 10),
        idem,
        categorize: respondAsync(c.req.header("prefer")) ? "after" : "before",
      },
      user,
    );
    return outcomeResponse(c, outcome, (o: { ok: true; entry: LedgerEntry }) => toTransaction(o.entry));
  });

  app.openapi(listTransactions, async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    const rows = await ledger(c.env, id).list(
      { limit: q.limit + 1, after: decodeCursor(q.cursor), from: q.from, to: q.to, category: q.category, q: q.q },
      c.get("identity").sub,
    );
    if (!rows) throw notFound();
    const p = page(rows, q.limit, (r) => ({ t: r.created_at, id: r.id }));
    return c.json({ data: p.data.map(toTransaction), next_cursor: p.next_cursor }, 200);
  });

  app.openapi(getTransaction, async (c) => {
    const row = await ownedEntry(c.env, c.req.valid("param").id, c.get("identity").sub);
    return c.json(toTransaction(row), 200);
  });

  app.openapi(patchTransaction, async (c) => {
    const user = c.get("identity").sub;
    const row = await ownedEntry(c.env, c.req.valid("param").id, user);
    const body = c.req.valid("json");
    if (body.category) await checkCategory(c.env, user, body.category);
    const updated = await ledger(c.env, row.account_id).patch(row.id, body, user);
    if (!updated) throw notFound("transaction");
    return c.json(toTransaction(updated), 200);
  });

  app.openapi(reverseTransaction, async (c) => {
    const user = c.get("identity").sub;
    const row = await ownedEntry(c.env, c.req.valid("param").id, user);
    const idem = await idempotencyKey(c, { reverse: row.id });
    const outcome = await ledger(c.env, row.account_id).reverse(row.id, idem, user);
    return outcomeResponse(c, outcome, (o: { ok: true; entry: LedgerEntry }) => toTransaction(o.entry));
  });
}
