import type { OpenAPIHono } from "@hono/zod-openapi";
import {
  ApiError, ENTRY_TEXT_LIMITS as LIMITS, MAX_AMOUNT, amountSchema, decodeCursor, defineRoute, idempotencyKey, jsonBody, jsonResponse, outcomeResponse, page,
  pageSchema, paginationQuery, z, type AppEnv,
} from "../../../core/src";
import { autoCategory } from "../categorize";
import type { Env } from "../env";
import { ownedAccount, type LedgerEntry } from "../../../core/src";
import { accountParams, categoryField, checkCategory, ledger, occurredAtSchema, toTransaction, transactionSchema } from "./shared";

const txnParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });

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
  description: `Amounts are signed integers in minor units, |amount| ≤ ${MAX_AMOUNT}. An outflow past \`available\` → 422 insufficient_funds and nothing is recorded. Optional Idempotency-Key.`,
  scope: "transactions:write",
  request: { params: accountParams, headers: z.object({ "idempotency-key": z.string().max(255).optional() }), ...jsonBody(createBody) },
  responses: { 201: jsonResponse(transactionSchema, "The recorded transaction") },
});

const listQuery = paginationQuery.extend({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  category: z.string().max(LIMITS.category).optional(),
  q: z.string().max(200).optional(),
});

export const listTransactions = defineRoute({
  method: "get",
  path: "/v1/accounts/{id}/transactions",
  tags: ["transactions"],
  summary: "List an account's transactions, newest first",
  scope: "transactions:read",
  request: { params: accountParams, query: listQuery },
  responses: { 200: jsonResponse(pageSchema(transactionSchema), "A page of transactions") },
});

export const getTransaction = defineRoute({
  method: "get",
  path: "/v1/transactions/{id}",
  tags: ["transactions"],
  summary: "Get a transaction",
  scope: "transactions:read",
  request: { params: txnParams },
  responses: { 200: jsonResponse(transactionSchema, "The transaction") },
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
  responses: { 201: jsonResponse(transactionSchema, "The reversing transaction"), 409: jsonResponse(z.any(), "Already reversed, a reversal, or a payment entry") },
});

/** The caller's transaction from the projection, or 404. */
async function ownedEntry(env: Env, id: string, userId: string) {
  const row = await env.DB.prepare("SELECT * FROM entries WHERE id = ? AND user_id = ?").bind(id, userId).first<Record<string, unknown>>();
  if (!row) throw new ApiError("not_found", "No such transaction.");
  return row;
}

export function registerTransactions(app: OpenAPIHono<AppEnv<Env>>) {
  app.openapi(createTransaction, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const user = c.get("identity").sub;
    await ownedAccount(c.env.DB, id, user);
    const idem = await idempotencyKey(c, body);
    if (body.category) await checkCategory(c.env, user, body.category);
    const category = body.category ?? (await autoCategory(c.env, user, body));
    const outcome = await ledger(c.env, id).record({
      ...body,
      category,
      occurred_at: body.occurred_at ?? new Date().toISOString().slice(0, 10),
      idem,
    });
    return outcomeResponse(c, outcome, (o: { ok: true; entry: LedgerEntry }) => toTransaction(o.entry)) as any;
  });

  app.openapi(listTransactions, async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    await ownedAccount(c.env.DB, id, c.get("identity").sub);
    const where = ["account_id = ?"];
    const args: (string | number)[] = [id];
    if (q.from) where.push("occurred_date >= ?"), args.push(q.from);
    if (q.to) where.push("occurred_date <= ?"), args.push(q.to);
    if (q.category) where.push("category = ?"), args.push(q.category);
    if (q.q) where.push("description LIKE ? ESCAPE '\\'"), args.push(`%${q.q.replace(/[\\%_]/g, (m) => "\\" + m)}%`);
    const cursor = decodeCursor(q.cursor);
    if (cursor) where.push("(created_at < ? OR (created_at = ? AND id < ?))"), args.push(cursor.t, cursor.t, cursor.id);
    const { results } = await c.env.DB.prepare(`SELECT * FROM entries WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .bind(...args, q.limit + 1)
      .all<Record<string, unknown>>();
    const p = page(results, q.limit, (r) => ({ t: r.created_at as string, id: r.id as string }));
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
    const updated = await ledger(c.env, row.account_id as string).patch(row.id as string, body);
    if (!updated) throw new ApiError("not_found", "No such transaction.");
    return c.json(toTransaction(updated), 200);
  });

  app.openapi(reverseTransaction, async (c) => {
    const row = await ownedEntry(c.env, c.req.valid("param").id, c.get("identity").sub);
    const idem = await idempotencyKey(c, { reverse: row.id });
    const outcome = await ledger(c.env, row.account_id as string).reverse(row.id as string, idem);
    return outcomeResponse(c, outcome, (o: { ok: true; entry: LedgerEntry }) => toTransaction(o.entry)) as any;
  });
}
