import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { MiddlewareHandler } from "hono";
import { webhookDeliveries, webhookEndpoints } from "../../../../db/schema";
import { ApiError, EVENT_TYPES, checkScope, keyset, newId, page, z, resourceRoutes, type Identity } from "#core";
import { checkWebhookUrl } from "../domain/ssrf";
import { ROTATION_OVERLAP_MS, newSecret } from "../domain/signature";
import { allowLoopback, type Env, type WebhooksApp } from "../env";
import { webhookIdParams } from "./events";

/** Most endpoints one user may register. */
export const MAX_ENDPOINTS = 20;

const tags = ["webhooks"];
const eventTypes = z
  .array(z.enum(EVENT_TYPES))
  .min(1)
  .max(EVENT_TYPES.length)
  .refine((a) => new Set(a).size === a.length, { message: "must not repeat an event type" })
  .openapi({ example: ["payment.completed", "transaction.created"] });
const urlField = z.string().min(1).max(2048).openapi({
  example: "https://example.com/hooks/edge-finance",
  description:
    "https:// only, to a public address: loopback, private, link-local, shared (CGNAT), multicast, unique-local and cloud metadata addresses are refused in every spelling",
});
const descriptionField = z.string().trim().max(500);

const endpointSchema = z
  .object({
    id: z.string().openapi({ example: "whe_01jz3k5m7q8r9s0t1v2w3x4y5z" }),
    url: z.string(),
    events: z.array(z.enum(EVENT_TYPES)),
    description: z.string().nullable(),
    status: z.enum(["enabled", "disabled"]).openapi({ description: "`disabled` by you, or after 5 days of failing deliveries" }),
    created_at: z.string(),
  })
  .openapi("WebhookEndpoint");
const endpointWithSecret = endpointSchema
  .extend({
    secret: z
      .string()
      .openapi({ description: "`whsec_` + base64 of 32 random bytes; shown only here and on rotation", example: "whsec_…" }),
  })
  .openapi("WebhookEndpointWithSecret");

export const deliverySchema = z
  .object({
    id: z.string().openapi({ example: "whd_01jz3k5m7q8r9s0t1v2w3x4y5z" }),
    event_id: z.string(),
    event_type: z.enum(EVENT_TYPES),
    status: z.enum(["pending", "succeeded", "failed"]).openapi({ description: "`pending` while attempts remain" }),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    next_attempt_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("WebhookDelivery");

const createBody = z
  .strictObject({ url: urlField, events: eventTypes, description: descriptionField.optional() })
  .openapi("NewWebhookEndpoint");
const patchBody = z
  .strictObject({
    url: urlField.optional(),
    events: eventTypes.optional(),
    description: descriptionField.nullable().optional(),
    status: z.enum(["enabled", "disabled"]).optional(),
  })
  .openapi("WebhookEndpointPatch");
const idParams = webhookIdParams("whe_01jz3k5m7q8r9s0t1v2w3x4y5z");

/** Webhooks carry your transactions and payments: managing them needs that read scope as well. */
const readsTransactions: MiddlewareHandler = async (c, next) => {
  checkScope(c.get("identity") as Identity, "transactions:read");
  await next();
};
const endpoint = resourceRoutes({
  path: "/v1/webhooks/endpoints",
  tags,
  params: idParams,
  item: endpointSchema,
  read: "transactions:read",
  write: "accounts:write",
  writeMiddleware: [readsTransactions],
});

export const createEndpoint = endpoint.create({
  summary: "Register a webhook endpoint",
  description:
    "Nothing is sent to the URL now. Events of the listed types that concern you are POSTed to it, signed (Standard Webhooks). Needs accounts:write and transactions:read.",
  body: { schema: createBody },
  schema: endpointWithSecret,
  answer: "The endpoint, with its signing secret (shown only now)",
});
export const listEndpoints = endpoint.list({
  summary: "Your webhook endpoints, newest first",
  page: { name: "WebhookEndpointPage", description: "A page of endpoints" },
});
export const getEndpoint = endpoint.get({
  summary: "One webhook endpoint",
  answer: "The endpoint",
});
export const patchEndpoint = endpoint.update({
  summary: "Change an endpoint's URL, events, description or status",
  description: "Nothing is sent to the URL now. Enabling an endpoint again clears its failing streak.",
  body: { schema: patchBody },
  answer: "The endpoint",
});
export const deleteEndpoint = endpoint.delete({ summary: "Delete an endpoint and its deliveries" });
export const rotateSecret = endpoint.action("rotate-secret", {
  summary: "Replace the signing secret",
  description: "The previous secret keeps signing alongside the new one for 24 h: each delivery then carries two `v1,` signatures.",
  schema: z.object({ secret: z.string() }).openapi("WebhookSecret"),
  answer: "The new secret (shown only now)",
});
export const listDeliveries = endpoint.listOf("deliveries", {
  summary: "The endpoint's deliveries, newest first",
  page: { item: deliverySchema, name: "WebhookDeliveryPage", description: "A page of deliveries" },
});
const delivery = resourceRoutes({
  path: "/v1/webhooks/deliveries",
  tags,
  params: webhookIdParams("whd_01jz3k5m7q8r9s0t1v2w3x4y5z"),
  item: deliverySchema,
  read: "transactions:read",
  write: "accounts:write",
  writeMiddleware: [readsTransactions],
});
export const retryDelivery = delivery.action("retry", {
  summary: "Send a delivery again now",
  description: "Queued at once, whatever its status; the answer does not wait for the receiver.",
  status: 202,
  answer: "The delivery, queued",
});

type EndpointRow = typeof webhookEndpoints.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

const toEndpoint = (r: EndpointRow) => ({
  id: r.id,
  url: r.url,
  events: JSON.parse(r.events) as (typeof EVENT_TYPES)[number][],
  description: r.description,
  status: r.status,
  created_at: r.createdAt,
});
export const toDelivery = (r: DeliveryRow) => ({
  id: r.id,
  event_id: r.eventId,
  event_type: r.eventType as (typeof EVENT_TYPES)[number],
  status: r.status,
  attempts: r.attempts,
  last_status_code: r.lastStatusCode,
  next_attempt_at: r.nextAttemptAt,
  created_at: r.createdAt,
});

function checkedUrl(env: Env, url: string): string {
  const verdict = checkWebhookUrl(url, { allowLoopback: allowLoopback(env) });
  if (!verdict.ok)
    throw new ApiError("validation_failed", `url ${verdict.reason}.`, { errors: [{ path: "url", message: verdict.reason }] });
  return verdict.url.href;
}

const notFound = () => new ApiError("not_found", "No such webhook endpoint.");

export function registerEndpoints(app: WebhooksApp) {
  const db = (env: Env) => drizzle(env.DB);
  const mine = (c: { get(k: "identity"): Identity }) => c.get("identity").sub;
  const own = async (env: Env, user: string, id: string) => {
    const row = await db(env)
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.userId, user)))
      .get();
    if (!row) throw notFound();
    return row;
  };

  app.openapi(createEndpoint, async (c) => {
    const body = c.req.valid("json");
    const user = mine(c);
    const url = checkedUrl(c.env, body.url);
    const { n } = (await c.env.DB.prepare("SELECT count(*) AS n FROM webhook_endpoints WHERE user_id = ?")
      .bind(user)
      .first<{ n: number }>())!;
    if (n >= MAX_ENDPOINTS) throw new ApiError("validation_failed", `At most ${MAX_ENDPOINTS} webhook endpoints per user.`);
    const now = new Date().toISOString();
    const row: EndpointRow = {
      id: newId("whe"),
      userId: user,
      url,
      events: JSON.stringify(body.events),
      description: body.description || null,
      status: "enabled",
      secret: newSecret(),
      previousSecret: null,
      previousSecretExpiresAt: null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    };
    await db(c.env).insert(webhookEndpoints).values(row);
    return c.json({ ...toEndpoint(row), secret: row.secret }, 201);
  });

  app.openapi(listEndpoints, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const k = keyset(webhookEndpoints.createdAt, webhookEndpoints.id, cursor);
    const rows = await db(c.env)
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.userId, mine(c)), k.after))
      .orderBy(...k.order)
      .limit(limit + 1);
    const p = page(rows, limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ data: p.data.map(toEndpoint), next_cursor: p.next_cursor }, 200);
  });

  app.openapi(getEndpoint, async (c) => c.json(toEndpoint(await own(c.env, mine(c), c.req.valid("param").id)), 200));

  app.openapi(patchEndpoint, async (c) => {
    const body = c.req.valid("json");
    const row = await own(c.env, mine(c), c.req.valid("param").id);
    const next: EndpointRow = {
      ...row,
      url: body.url !== undefined ? checkedUrl(c.env, body.url) : row.url,
      events: body.events ? JSON.stringify(body.events) : row.events,
      description: body.description !== undefined ? body.description || null : row.description,
      status: body.status ?? row.status,
      // Enabled again (by hand): its failing streak starts over.
      failingSince: body.status === "enabled" ? null : row.failingSince,
      updatedAt: new Date().toISOString(),
    };
    await db(c.env).update(webhookEndpoints).set(next).where(eq(webhookEndpoints.id, row.id));
    return c.json(toEndpoint(next), 200);
  });

  app.openapi(deleteEndpoint, async (c) => {
    const row = await own(c.env, mine(c), c.req.valid("param").id);
    await db(c.env).batch([
      db(c.env).delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, row.id)),
      db(c.env).delete(webhookEndpoints).where(eq(webhookEndpoints.id, row.id)),
    ]);
    return c.body(null, 204);
  });

  app.openapi(rotateSecret, async (c) => {
    const row = await own(c.env, mine(c), c.req.valid("param").id);
    const secret = newSecret();
    await db(c.env)
      .update(webhookEndpoints)
      .set({
        secret,
        previousSecret: row.secret,
        previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS).toISOString(),
        updatedAt: new Date().toISOString(),
      })
      .where(eq(webhookEndpoints.id, row.id));
    return c.json({ secret }, 200);
  });

  app.openapi(listDeliveries, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const endpoint = await own(c.env, mine(c), c.req.valid("param").id);
    const k = keyset(webhookDeliveries.createdAt, webhookDeliveries.id, cursor);
    const rows = await db(c.env)
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.endpointId, endpoint.id), k.after))
      .orderBy(...k.order)
      .limit(limit + 1);
    const p = page(rows, limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ data: p.data.map(toDelivery), next_cursor: p.next_cursor }, 200);
  });

  app.openapi(retryDelivery, async (c) => {
    const id = c.req.valid("param").id;
    const now = new Date().toISOString();
    const row = await db(c.env)
      .update(webhookDeliveries)
      .set({ status: "pending", nextAttemptAt: now, updatedAt: now })
      .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.userId, mine(c))))
      .returning()
      .get();
    if (!row) throw new ApiError("not_found", "No such webhook delivery.");
    await c.env.DELIVERIES.send({ delivery_id: row.id, attempts: row.attempts });
    return c.json(toDelivery(row), 202);
  });
}
