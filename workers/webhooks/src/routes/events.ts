import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { events } from "../../../../db/schema";
import { ApiError, EVENT_TYPES, keyset, page, paginationQuery, z, getRoute, listRoute, pathId, type PlatformEvent } from "#core";
import type { WebhooksApp } from "../env";

const tags = ["events"];

export const eventSchema = z
  .object({
    id: z.string().openapi({ example: "evt_01jz3k5m7q8r9s0t1v2w3x4y" }),
    type: z.enum(EVENT_TYPES),
    created_at: z.string(),
    data: z.object({ object: z.any() }).openapi({
      description: "`object`: the resource as the API returns it (a transaction, a payment, a budget, an anomaly, a schedule's run)",
    }),
  })
  .openapi("Event");

export const listEvents = listRoute({
  path: "/v1/events",
  tags,
  summary: "Your events, newest first",
  description: "What webhooks deliver, kept in D1: each event concerns one user (a payment's payer and payee each get their own).",
  scope: "transactions:read",
  query: paginationQuery.extend({ type: z.enum(EVENT_TYPES).optional() }),
  page: { item: eventSchema, name: "EventPage", description: "A page of events" },
});
export const getEvent = getRoute({
  path: "/v1/events/{id}",
  tags,
  summary: "One of your events",
  scope: "transactions:read",
  params: webhookIdParams("evt_01jz3k5m7q8r9s0t1v2w3x4y"),
  item: { schema: eventSchema, description: "The event" },
});

/** The `{id}` of a webhooks resource (endpoint, delivery or event): 1–64 characters. */
export function webhookIdParams(example: string) {
  return pathId({ schema: z.string().min(1).max(64), example });
}

type EventRow = typeof events.$inferSelect;
/** The stored event as the API shows it (its data is kept as JSON text). */
export const toEvent = (r: EventRow): PlatformEvent => ({
  id: r.id,
  type: r.type as PlatformEvent["type"],
  created_at: r.createdAt,
  data: JSON.parse(r.data) as PlatformEvent["data"],
});

export function registerEvents(app: WebhooksApp) {
  app.openapi(listEvents, async (c) => {
    const { limit, cursor, type } = c.req.valid("query");
    const k = keyset(events.createdAt, events.id, cursor);
    const rows = await drizzle(c.env.DB)
      .select()
      .from(events)
      .where(and(eq(events.userId, c.get("identity").sub), type ? eq(events.type, type) : undefined, k.after))
      .orderBy(...k.order)
      .limit(limit + 1);
    const p = page(rows, limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ data: p.data.map(toEvent), next_cursor: p.next_cursor }, 200);
  });

  app.openapi(getEvent, async (c) => {
    const row = await drizzle(c.env.DB)
      .select()
      .from(events)
      .where(and(eq(events.id, c.req.valid("param").id), eq(events.userId, c.get("identity").sub)))
      .get();
    if (!row) throw new ApiError("not_found", "No such event.");
    return c.json(toEvent(row), 200);
  });
}
