import type { OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { apiClients, auditEvents, refreshTokens } from "../../../../db/schema";
import { ApiError, SCOPES, defineRoute, keyset, jsonBody, jsonResponse, newId, page, pageSchema, paginationQuery, z } from "#core";
import { auditRow } from "#core";
import { scrubbed } from "#core";
import type { AuthApp } from "../env";
import { personOnly } from "#core";
import { opaqueToken, parseScopes, sha256Hex } from "../tokens";

const scopesField = z
  .array(z.enum(SCOPES))
  .min(1)
  .max(SCOPES.length)
  .openapi({ example: ["accounts:read", "transactions:read"] });

const clientSchema = z
  .object({
    client_id: z.string().openapi({ example: "cli_01jc8x2v3k4m5n6p7q8r9s0t1u" }),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    created_at: z.string(),
  })
  .openapi("ApiClient");

export const createClient = defineRoute({
  method: "post",
  path: "/v1/auth/clients",
  tags: ["auth"],
  summary: "Create an API client (OAuth 2.0 client credentials); the secret is shown once",
  scope: "authenticated",
  middleware: [personOnly],
  request: jsonBody(
    z.strictObject({ name: z.string().trim().min(1).max(100).openapi({ example: "Accounting export" }), scopes: scopesField }),
  ),
  responses: {
    201: jsonResponse(
      clientSchema
        .extend({ client_secret: z.string().openapi({ description: "shown once; stored only as a hash" }) })
        .openapi("ApiClientWithSecret"),
      "The client and its secret",
    ),
  },
});

export const listClients = defineRoute({
  method: "get",
  path: "/v1/auth/clients",
  tags: ["auth"],
  summary: "The caller's active API clients (never their secrets)",
  scope: "authenticated",
  middleware: [personOnly],
  request: { query: paginationQuery },
  responses: { 200: jsonResponse(pageSchema(clientSchema), "Newest first") },
});

export const revokeClient = defineRoute({
  method: "delete",
  path: "/v1/auth/clients/{id}",
  tags: ["auth"],
  summary: "Revoke an API client: its secret stops working at once",
  scope: "authenticated",
  middleware: [personOnly],
  request: { params: z.object({ id: z.string() }) },
  responses: { 204: { description: "Revoked" } },
});

type ClientRow = typeof apiClients.$inferSelect;
const toClient = (row: ClientRow) => ({
  client_id: row.id,
  name: row.name,
  scopes: parseScopes(row.scopes) ?? [],
  created_at: row.createdAt,
});

export function mountClientRoutes(app: OpenAPIHono<AuthApp>) {
  app.openapi(createClient, async (c) => {
    const { name, scopes } = c.req.valid("json");
    const owner = c.get("identity").sub;
    const granted = [...new Set(scopes)];
    const secret = opaqueToken("eft_cs");
    const row = {
      id: newId("cli"),
      userId: owner,
      name,
      secretHash: await sha256Hex(secret),
      scopes: granted.join(" "),
      createdAt: new Date().toISOString(),
      revokedAt: null,
    };
    const db = drizzle(c.env.DB);
    await scrubbed(
      db.batch([
        db.insert(apiClients).values(row),
        db.insert(auditEvents).values(auditRow(c, "client_created", owner, { client_id: row.id, scopes: granted })),
      ]),
    );
    return c.json({ ...toClient(row), client_secret: secret }, 201, { "Cache-Control": "no-store" });
  });

  app.openapi(listClients, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const k = keyset(apiClients.createdAt, apiClients.id, cursor);
    const owner = c.get("identity").sub;
    const rows = await drizzle(c.env.DB)
      .select()
      .from(apiClients)
      .where(and(eq(apiClients.userId, owner), isNull(apiClients.revokedAt), k.after))
      .orderBy(...k.order)
      .limit(limit + 1);
    const { data, next_cursor } = page(rows, limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ data: data.map(toClient), next_cursor }, 200);
  });

  app.openapi(revokeClient, async (c) => {
    const { id } = c.req.valid("param");
    const owner = c.get("identity").sub;
    const db = drizzle(c.env.DB);
    const now = new Date().toISOString();
    const done = await db
      .update(apiClients)
      .set({ revokedAt: now })
      .where(and(eq(apiClients.id, id), eq(apiClients.userId, owner), isNull(apiClients.revokedAt)))
      .run();
    if (done.meta.changes !== 1) throw new ApiError("not_found", "No such API client.");
    await db.batch([
      db
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.clientId, id), isNull(refreshTokens.revokedAt))),
      db.insert(auditEvents).values(auditRow(c, "client_revoked", owner, { client_id: id })),
    ]);
    return c.body(null, 204);
  });
}
