import type { OpenAPIHono } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import {
  ApiError,
  askAccounts,
  defineRoute,
  idempotencyKey,
  jsonBody,
  jsonResponse,
  keyset,
  ledgerStub,
  newId,
  problemDoc,
  outcomeResponse,
  page,
  z,
  getRoute,
  listRoute,
  pathId,
  type AppEnv,
  type LedgerRpc,
} from "#core";
import type { Env } from "../index";
import { distinctAccounts, movementFields, movementOf, newMovementFields } from "../movement";

const paymentSchema = z
  .object({
    id: z.string(),
    status: z.enum(["pending", "completed", "failed"]),
    ...movementFields,
    created_at: z.string(),
  })
  .openapi("Payment");
type Payment = z.infer<typeof paymentSchema>;

const createBody = distinctAccounts(z.strictObject(newMovementFields)).openapi("NewPayment");

export const createPayment = defineRoute({
  method: "post",
  path: "/v1/payments",
  tags: ["payments"],
  summary: "Move money from one of your accounts to any open account of the same currency",
  description:
    "Requires an Idempotency-Key. Two-phase, between the two accounts' ledger objects: the amount is reserved on the source, credited to the destination, then posted; it answers once the payment is completed or failed (422 insufficient_funds, currency_mismatch or account_closed, 404 for a source that is not yours or a destination that does not exist, and no money moves). The payments list is a projection written right after the answer.",
  scope: "payments:write",
  request: {
    // Required, and documented so; the handler checks it (idempotencyKey) so that a missing key is the
    // same 400 problem, naming the header, as an invalid one.
    headers: z.object({
      "idempotency-key": z
        .string()
        .max(255)
        .optional()
        .openapi({ param: { required: true }, description: "1–255 visible ASCII characters, unique per payment" }),
    }),
    ...jsonBody(createBody),
  },
  responses: {
    201: jsonResponse(paymentSchema, "The completed payment"),
    409: problemDoc("A request with this key is still in flight (idempotency_request_in_progress)"),
  },
});

const read = { tags: ["payments"], scope: "transactions:read" as const };

export const getPayment = getRoute({
  path: "/v1/payments/{id}",
  summary: "Get a payment you sent or received",
  ...read,
  params: pathId(),
  item: { schema: paymentSchema, description: "The payment" },
});

export const listPayments = listRoute({
  path: "/v1/payments",
  summary: "Your payments, as payer or payee, newest first",
  ...read,
  page: { item: paymentSchema, description: "A page of payments" },
});

const toPayment = (r: Record<string, unknown>): Payment => ({
  id: r.id as string,
  status: r.status as Payment["status"],
  ...movementOf(r),
  created_at: r.created_at as string,
});

export function registerPayments(app: OpenAPIHono<AppEnv<Env>>) {
  app.openapi(createPayment, async (c) => {
    const body = c.req.valid("json");
    const user = c.get("identity").sub;
    const idem = (await idempotencyKey(c, body, true))!;
    // The source object checks that it is the caller's; the destination object checks itself.
    const outcome = await ledgerStub<LedgerRpc>(c.env.LEDGER, body.source_account_id).pay({
      id: newId("pay"),
      user_id: user,
      source_account_id: body.source_account_id,
      destination_account_id: body.destination_account_id,
      amount: body.amount,
      currency: body.currency,
      description: body.description ?? null,
      idem,
    });
    return outcomeResponse(c, outcome, (o: { ok: true; payment: Payment }) => o.payment);
  });

  app.openapi(getPayment, async (c) => {
    const user = c.get("identity").sub;
    const { id } = c.req.valid("param");
    const row = await c.env.DB.prepare("SELECT * FROM payments WHERE id = ? AND (user_id = ? OR destination_user_id = ?)")
      .bind(id, user, user)
      .first<Record<string, unknown>>();
    if (row) return c.json(toPayment(row), 200);
    // Not projected yet: the payer reads it from the source account's object, the payee from the destination's.
    const payment = await askAccounts(c.env.DB, c.env.LEDGER, user, (l) => l.payment(id, user));
    if (!payment) throw new ApiError("not_found", "No such payment.");
    return c.json(payment, 200);
  });

  app.openapi(listPayments, async (c) => {
    const user = c.get("identity").sub;
    const q = c.req.valid("query");
    const k = keyset(sql.identifier("created_at"), sql.identifier("id"), q.cursor);
    const results = await drizzle(c.env.DB).all<Record<string, unknown>>(
      sql`SELECT * FROM payments WHERE (user_id = ${user} OR destination_user_id = ${user}) AND ${k.after ?? sql`1`} ORDER BY ${sql.join(k.order, sql`, `)} LIMIT ${q.limit + 1}`,
    );
    const p = page(results, q.limit, (r) => ({ t: r.created_at as string, id: r.id as string }));
    return c.json({ data: p.data.map(toPayment), next_cursor: p.next_cursor }, 200);
  });
}
