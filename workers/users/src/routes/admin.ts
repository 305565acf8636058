import type { OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, isNull, ne } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { auditEvents, refreshTokens, users } from "../../../../db/schema";
import { ApiError, defineRoute, jsonBody, jsonResponse, keyset, page, pageSchema, paginationQuery, problemDoc, z } from "#core";
import { auditRow } from "#core";
import type { UsersApp } from "../env";
import { normaliseEmail, toUser, userSchema, userStateOf } from "#core";

// ── GET /v1/admin/users ─────────────────────────────────────────────────────
export const listUsers = defineRoute({
  method: "get",
  path: "/v1/admin/users",
  tags: ["admin"],
  summary: "Every user, newest first (administrators only)",
  scope: "admin",
  request: {
    query: paginationQuery.extend({
      status: z.enum(["active", "suspended", "deleted"]).optional(),
      email: z.string().max(254).optional().openapi({ description: "exact email (case-insensitive)" }),
    }),
  },
  responses: { 200: jsonResponse(pageSchema(userSchema), "A page of users") },
});

// ── PATCH /v1/admin/users/{id} ──────────────────────────────────────────────
export const patchUser = defineRoute({
  method: "patch",
  path: "/v1/admin/users/{id}",
  tags: ["admin"],
  summary: "Change a user's role or suspend / reactivate them (a suspended user's tokens answer 403)",
  scope: "admin",
  request: {
    params: z.object({ id: z.string() }),
    ...jsonBody(z.strictObject({ role: z.enum(["user", "admin"]).optional(), status: z.enum(["active", "suspended"]).optional() })),
  },
  responses: {
    200: jsonResponse(userSchema, "The updated user"),
    409: problemDoc("An administrator cannot change their own role or status"),
  },
});

export function mountAdminRoutes(app: OpenAPIHono<UsersApp>) {
  app.openapi(listUsers, async (c) => {
    const { limit, cursor, status, email } = c.req.valid("query");
    const k = keyset(users.createdAt, users.id, cursor);
    const rows = await drizzle(c.env.DB)
      .select()
      .from(users)
      .where(and(status ? eq(users.status, status) : undefined, email ? eq(users.email, normaliseEmail(email)) : undefined, k.after))
      .orderBy(...k.order)
      .limit(limit + 1);
    const { data, next_cursor } = page(rows, limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ data: data.map(toUser), next_cursor }, 200);
  });

  app.openapi(patchUser, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const admin = c.get("identity").sub;
    const db = drizzle(c.env.DB);
    const target = await db
      .select()
      .from(users)
      .where(and(eq(users.id, id), ne(users.status, "deleted")))
      .get();
    if (!target) throw new ApiError("not_found", "No such user.");
    if (target.id === admin && ((body.role && body.role !== target.role) || (body.status && body.status !== target.status)))
      throw new ApiError("conflict", "Administrators cannot change their own role or status.");

    const now = new Date().toISOString();
    const changes: Partial<typeof users.$inferInsert> = {};
    const events = [];
    if (body.role && body.role !== target.role) {
      changes.role = body.role;
      events.push(auditRow(c, "role_changed", target.id, { from: target.role, to: body.role, by: admin }));
    }
    if (body.status && body.status !== target.status) {
      changes.status = body.status;
      events.push(auditRow(c, body.status === "suspended" ? "user_suspended" : "user_reactivated", target.id, { by: admin }));
    }
    // The gateway reads status and role from the user's UserState object: it re-reads the row after
    // every PATCH (also one that changes nothing, so retrying a PATCH whose reload failed heals it).
    const reload = () => userStateOf(c.env, target.id).reload(target.id);
    if (events.length === 0) {
      await reload();
      return c.json(toUser(target), 200);
    }
    changes.updatedAt = now;
    const [updated] = await db.batch([
      db.update(users).set(changes).where(eq(users.id, target.id)).returning(),
      db.insert(auditEvents).values(events),
      // A suspension ends every session at once; access tokens already answer 403 at the gateway.
      ...(changes.status === "suspended"
        ? [
            db
              .update(refreshTokens)
              .set({ revokedAt: now })
              .where(and(eq(refreshTokens.userId, target.id), isNull(refreshTokens.revokedAt))),
          ]
        : []),
    ]);
    await reload();
    return c.json(toUser(updated[0]), 200);
  });
}
