import type { OpenAPIHono } from "@hono/zod-openapi";
import { and, desc, eq, isNull, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../../../db/schema";
import { ApiError, defineRoute, jsonBody, jsonResponse, keyset, page, pageSchema, paginationQuery, z } from "#core";
import { MAX_PASSWORD_LENGTH, hashPassword, newPasswordField, verifyPassword } from "#core/password";
import { countAttempt, type ThrottleRule } from "#core/throttle";
import { auditRow } from "#core";
import { namedStub, scrubbed } from "#core";
import type { UsersApp } from "../env";
import { personOnly } from "#core";
import { baseCurrencyField, localeField, taxResidenceField, timezoneField } from "../profile-fields";
import { toUser, userSchema } from "#core";
import { sql } from "drizzle-orm";
import { ERASED_TEXT, ledgerStub, problemDoc, userStateOf, type LedgerRpc, type SentPaymentText } from "#core";
import type { Context } from "hono";

const { users, refreshTokens, apiClients, auditEvents } = schema;
type Db = ReturnType<typeof drizzle>;

async function currentUser(db: Db, id: string) {
  const user = await db.select().from(users).where(eq(users.id, id)).get();
  // The gateway already refuses deleted and suspended users; this covers a race with deletion.
  if (!user || user.status === "deleted") throw new ApiError("unauthorized", "The access token is invalid or expired.");
  return user;
}

// ── GET /v1/users/me ────────────────────────────────────────────────────────
export const getMe = defineRoute({
  method: "get",
  path: "/v1/users/me",
  tags: ["users"],
  summary: "The caller's profile",
  scope: "authenticated",
  responses: { 200: jsonResponse(userSchema, "The profile") },
});

// ── PATCH /v1/users/me ──────────────────────────────────────────────────────
export const patchMe = defineRoute({
  method: "patch",
  path: "/v1/users/me",
  tags: ["users"],
  summary: "Update the caller's profile (role, email and status cannot be changed here)",
  scope: "authenticated",
  middleware: [personOnly],
  request: jsonBody(
    z.strictObject({
      name: z.string().trim().min(1).max(100).optional(),
      locale: localeField.optional(),
      timezone: timezoneField.optional(),
      base_currency: baseCurrencyField.optional(),
      tax_residence: taxResidenceField.optional(),
    }),
  ),
  responses: { 200: jsonResponse(userSchema, "The updated profile") },
});

// ── POST /v1/users/me/password ──────────────────────────────────────────────
export const changePassword = defineRoute({
  method: "post",
  path: "/v1/users/me/password",
  tags: ["users"],
  summary: "Change the password; every refresh token of the user is revoked",
  scope: "authenticated",
  middleware: [personOnly],
  request: jsonBody(z.strictObject({ current_password: z.string().max(MAX_PASSWORD_LENGTH), new_password: newPasswordField })),
  description: "At most 10 wrong `current_password` per user in 15 minutes; then 429 with Retry-After. Wrong attempts are audited.",
  responses: { 204: { description: "Changed; sign in again on other devices" } },
});

/** Wrong current passwords allowed per user within the window. */
const PASSWORD_CHANGE_RULE: ThrottleRule = { limit: 10, windowMs: 15 * 60_000 };

// ── GET /v1/users/me/export ─────────────────────────────────────────────────
export const exportMe = defineRoute({
  method: "get",
  path: "/v1/users/me/export",
  tags: ["users"],
  summary: "Everything stored about the caller, as JSON (GDPR art. 20)",
  scope: "accounts:read",
  middleware: [personOnly],
  responses: { 200: jsonResponse(z.record(z.string(), z.unknown()).openapi("UserExport"), "The export") },
});

// ── DELETE /v1/users/me ─────────────────────────────────────────────────────
export const deleteMe = defineRoute({
  method: "delete",
  path: "/v1/users/me",
  tags: ["users"],
  summary: "Erase the caller's personal data and close the account (the ledger is kept, anonymised)",
  description:
    "Every account of the caller is closed, whatever its balance: payments to it are then refused (422 `account_closed`) and a remaining balance stays in the closed account, frozen, until support pays it out to its former owner. Payments in flight are finished first. Everything the caller wrote (names, descriptions, notes, counterparties, their own categories, rules, budgets, import reports, Idempotency-Keys) is erased, in D1 and in the ledger objects, including the payee's copy of a payment description; amounts, dates, versions, external ids and hashes stay, so every hash chain still verifies.",
  scope: "authenticated",
  middleware: [personOnly],
  responses: {
    204: { description: "Erased; tokens stop working and login is impossible" },
    409: problemDoc("A payment from one of the accounts is still in flight; retry shortly"),
  },
});

// ── GET /v1/users/me/audit ──────────────────────────────────────────────────
const auditEventSchema = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: "login" }),
    ip: z.string().nullable(),
    request_id: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.string(),
  })
  .openapi("AuditEvent");

export const listAudit = defineRoute({
  method: "get",
  path: "/v1/users/me/audit",
  tags: ["users"],
  summary: "The caller's security events (login, failed login, refresh reuse, password change, client created, ...), newest first",
  scope: "authenticated",
  middleware: [personOnly],
  request: { query: paginationQuery },
  responses: { 200: jsonResponse(pageSchema(auditEventSchema), "A page of events") },
});

const parseDetail = (text: string | null) => {
  if (!text) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
};

export const toAuditEvent = (row: typeof auditEvents.$inferSelect) => ({
  id: row.id,
  type: row.type,
  ip: row.ip,
  request_id: row.requestId,
  detail: parseDetail(row.detail),
  created_at: row.createdAt,
});

export function mountMeRoutes(app: OpenAPIHono<UsersApp>) {
  app.openapi(getMe, async (c) => {
    const user = await currentUser(drizzle(c.env.DB), c.get("identity").sub);
    return c.json(toUser(user), 200);
  });

  app.openapi(patchMe, async (c) => {
    const body = c.req.valid("json");
    const db = drizzle(c.env.DB);
    const user = await currentUser(db, c.get("identity").sub);
    const changes: Partial<typeof users.$inferInsert> = {};
    if (body.name !== undefined) changes.name = body.name;
    if (body.locale !== undefined) changes.locale = Intl.getCanonicalLocales(body.locale)[0];
    if (body.timezone !== undefined) changes.timezone = body.timezone;
    if (body.base_currency !== undefined) changes.baseCurrency = body.base_currency;
    if (body.tax_residence !== undefined) changes.taxResidence = body.tax_residence;
    if (Object.keys(changes).length === 0) return c.json(toUser(user), 200);
    changes.updatedAt = new Date().toISOString();
    const [updated] = await db.batch([
      db.update(users).set(changes).where(eq(users.id, user.id)).returning(),
      db.insert(auditEvents).values(auditRow(c, "profile_updated", user.id, { fields: Object.keys(body) })),
    ]);
    return c.json(toUser(updated[0]), 200);
  });

  app.openapi(changePassword, async (c) => {
    const body = c.req.valid("json");
    const db = drizzle(c.env.DB);
    const user = await currentUser(db, c.get("identity").sub);
    // A stolen access token must not become an unlimited password oracle: wrong current passwords are
    // counted per user (before the check, so parallel guesses cannot slip past) and audited.
    const counted = await countAttempt(
      c.env.THROTTLE,
      [{ key: `password:${user.id}`, rule: PASSWORD_CHANGE_RULE }],
      "Too many wrong current passwords. Try again later.",
    );
    if (!counted.ok) {
      if (counted.first)
        await db.insert(auditEvents).values(auditRow(c, "password_change_throttled", user.id, { retry_after: counted.retryAfter }));
      throw counted.error;
    }
    if (!(await verifyPassword(body.current_password, user.passwordHash))) {
      await db.insert(auditEvents).values(auditRow(c, "password_change_failed", user.id));
      throw new ApiError("validation_failed", "The current password is incorrect.", {
        errors: [{ path: "current_password", message: "is incorrect" }],
      });
    }
    const now = new Date().toISOString();
    await scrubbed(
      db.batch([
        db
          .update(users)
          .set({ passwordHash: await hashPassword(body.new_password), updatedAt: now })
          .where(eq(users.id, user.id)),
        db
          .update(refreshTokens)
          .set({ revokedAt: now })
          .where(and(eq(refreshTokens.userId, user.id), isNull(refreshTokens.revokedAt))),
        db.insert(auditEvents).values(auditRow(c, "password_change", user.id)),
      ]),
    );
    await counted.reset(0);
    return c.body(null, 204);
  });

  app.openapi(exportMe, async (c) => {
    const db = drizzle(c.env.DB);
    const user = await currentUser(db, c.get("identity").sub);
    const mine = user.id;
    const [sessions, clients, events, accounts, categories, rules, budgets, entries, payments, imports] = await db.batch([
      db
        .select({
          id: refreshTokens.id,
          family_id: refreshTokens.familyId,
          client_id: refreshTokens.clientId,
          scope: refreshTokens.scope,
          created_at: refreshTokens.createdAt,
          expires_at: refreshTokens.expiresAt,
          used_at: refreshTokens.usedAt,
          revoked_at: refreshTokens.revokedAt,
        })
        .from(refreshTokens)
        .where(eq(refreshTokens.userId, mine)),
      db
        .select({
          client_id: apiClients.id,
          name: apiClients.name,
          scopes: apiClients.scopes,
          created_at: apiClients.createdAt,
          revoked_at: apiClients.revokedAt,
        })
        .from(apiClients)
        .where(eq(apiClients.userId, mine)),
      db.select().from(auditEvents).where(eq(auditEvents.userId, mine)).orderBy(desc(auditEvents.createdAt), desc(auditEvents.id)),
      db.select().from(schema.accounts).where(eq(schema.accounts.userId, mine)),
      db.select().from(schema.categories).where(eq(schema.categories.userId, mine)),
      db.select().from(schema.categoryRules).where(eq(schema.categoryRules.userId, mine)),
      db.select().from(schema.budgets).where(eq(schema.budgets.userId, mine)),
      db.select().from(schema.entries).where(eq(schema.entries.userId, mine)).orderBy(schema.entries.accountId, schema.entries.version),
      db
        .select()
        .from(schema.payments)
        .where(or(eq(schema.payments.userId, mine), eq(schema.payments.destinationUserId, mine))),
      db.select().from(schema.imports).where(eq(schema.imports.userId, mine)),
    ]);
    const body = {
      format: "edge-finance-export/1",
      exported_at: new Date().toISOString(),
      user: toUser(user),
      sessions,
      api_clients: clients.map((cl) => ({ ...cl, scopes: cl.scopes.split(" ").filter(Boolean) })),
      audit_events: events.map(toAuditEvent),
      accounts: accounts.map(snake),
      categories: categories.map(snake),
      category_rules: rules.map(snake),
      budgets: budgets.map(snake),
      transactions: entries.map(({ hash: _hash, ...e }) => snake(e)),
      // The public payment fields only: a received payment must not reveal the payer's user id.
      payments: payments.map((p) => ({
        id: p.id,
        status: p.status,
        source_account_id: p.sourceAccountId,
        destination_account_id: p.destinationAccountId,
        amount: p.amount,
        currency: p.currency,
        description: p.description,
        created_at: p.createdAt,
      })),
      imports: imports.map((i) => ({ ...snake(i), errors: parseDetail(i.errors) ?? i.errors })),
    };
    return c.json(body, 200, {
      "Content-Disposition": `attachment; filename="edge-finance-export-${mine}.json"`,
      "Cache-Control": "no-store",
    });
  });

  app.openapi(deleteMe, async (c) => {
    const db = drizzle(c.env.DB);
    // A retry after step 4 failed: the row is already erased and the gateway still lets the user in.
    const sub = c.get("identity").sub;
    if ((await db.select({ status: users.status }).from(users).where(eq(users.id, sub)).get())?.status === "deleted")
      return finishDeletion(c, sub);
    const user = await currentUser(db, sub);
    const ledger = (id: string) => ledgerStub<LedgerRpc>(c.env.LEDGER, id);
    const owned = (await db.select({ id: schema.accounts.id }).from(schema.accounts).where(eq(schema.accounts.userId, user.id))).map(
      (a) => a.id,
    );
    // Each step is idempotent and the user stays active until the last one, so a retry after any failure
    // finishes the job. 1. No money in any more, whatever the balance; payments in flight settle first.
    const sent: SentPaymentText[] = [];
    for (const closed of await Promise.all(owned.map((id) => ledger(id).closeForDeletion()))) {
      if (closed.ok) sent.push(...closed.sent);
      else if (closed.code === "conflict")
        throw new ApiError("conflict", "A payment from one of your accounts is still in flight; retry the deletion in a few seconds.");
      // not_found: an account row whose ledger was never opened holds neither money nor text.
    }
    // 2. The payees' copies of this user's payment descriptions (read above, before step 3 erases them),
    // then the user's own ledgers and their D1 projection.
    const byPayee = new Map<string, SentPaymentText[]>();
    for (const p of sent) byPayee.set(p.destination_account_id, [...(byPayee.get(p.destination_account_id) ?? []), p]);
    try {
      await Promise.all([...byPayee].map(([account, payments]) => ledger(account).eraseCounterparty(payments)));
      await Promise.all(owned.map((id) => ledger(id).erase()));
      // Then their scheduled payments: cancelled and their descriptions erased, before the user row goes.
      await eraseSchedules(c, user.id);
    } catch (e) {
      throw new ApiError(
        "service_unavailable",
        `The erasure could not finish (${e instanceof Error ? e.message : String(e)}); retry the deletion.`,
      );
    }
    // 3. Everything else the user wrote, and the user row itself.
    const now = new Date().toISOString();
    const mine = user.id;
    await db.batch([
      // Personal data erased; the id stays so the ledger (entries, payments) keeps balancing, now anonymous.
      db
        .update(users)
        .set({
          email: null,
          name: null,
          passwordHash: null,
          taxResidence: null,
          locale: "en",
          timezone: "UTC",
          status: "deleted",
          deletedAt: now,
          updatedAt: now,
        })
        .where(eq(users.id, mine)),
      db
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.userId, mine), isNull(refreshTokens.revokedAt))),
      db
        .update(apiClients)
        .set({ revokedAt: sql`coalesce(${apiClients.revokedAt}, ${now})`, name: ERASED_TEXT })
        .where(eq(apiClients.userId, mine)),
      // IP addresses and details are personal data too; the events themselves stay as the security record.
      db.update(auditEvents).set({ ip: null, detail: null }).where(eq(auditEvents.userId, mine)),
      db.insert(auditEvents).values(auditRow(c, "account_deleted", mine, undefined, false)),
      db
        .update(schema.accounts)
        .set({ name: ERASED_TEXT, status: "closed", closedAt: sql`coalesce(${schema.accounts.closedAt}, ${now})` })
        .where(eq(schema.accounts.userId, mine)),
      // The user's own settings, not ledger history: entries keep only taxonomy categories (erase()).
      db.delete(schema.categories).where(eq(schema.categories.userId, mine)),
      db.delete(schema.categoryRules).where(eq(schema.categoryRules.userId, mine)),
      db.delete(schema.budgets).where(eq(schema.budgets.userId, mine)),
      // Webhook endpoints (their URLs and descriptions are the user's words), their deliveries and the events.
      db.delete(schema.webhookDeliveries).where(eq(schema.webhookDeliveries.userId, mine)),
      db.delete(schema.webhookEndpoints).where(eq(schema.webhookEndpoints.userId, mine)),
      db.delete(schema.events).where(eq(schema.events.userId, mine)),
      // Import reports keep their counts; their error lines quote the file.
      db.update(schema.imports).set({ errors: "[]" }).where(eq(schema.imports.userId, mine)),
      // Keys claimed before they moved to the UserState object: `user:key`, the key is the client's own text.
      db.delete(schema.idempotencyKeys).where(sql`substr(${schema.idempotencyKeys.key}, 1, ${mine.length + 1}) = ${`${mine}:`}`),
    ]);
    return finishDeletion(c, mine);
  });

  app.openapi(listAudit, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const k = keyset(auditEvents.createdAt, auditEvents.id, cursor);
    const mine = c.get("identity").sub;
    const rows = await drizzle(c.env.DB)
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, mine), k.after))
      .orderBy(...k.order)
      .limit(limit + 1);
    const { data, next_cursor } = page(rows, limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ data: data.map(toAuditEvent), next_cursor }, 200);
  });
}

/**
 * The user's schedules, listed from D1 after the accounts closed: each is projected right after its create
 * answers, and a create racing the deletion finds the source closed (422) or, if it checked just before,
 * leaves a schedule whose first run fails on the closed source, sees the owner deleted and erases itself.
 * The object's own cancel stretch runs first, so no occurrence starts once this has answered.
 */
async function eraseSchedules(c: Context<UsersApp>, userId: string) {
  const ns = c.env.SCHEDULES;
  const ids = await drizzle(c.env.DB)
    .select({ id: schema.scheduledPayments.id })
    .from(schema.scheduledPayments)
    .where(eq(schema.scheduledPayments.userId, userId));
  await Promise.all(ids.map(({ id }) => namedStub<ScheduleErasure>(ns, id).eraseForDeletion(userId)));
}

/** The part of the ScheduledPayment object (workers/payments) the deletion calls. */
type ScheduleErasure = { eraseForDeletion(owner: string): Promise<{ ok: boolean }> };

/**
 * 4. The user's UserState object: status deleted (the gateway answers 401 from here on, without D1) and
 * every claimed Idempotency-Key erased. Last, so that until it succeeds the user can retry the deletion.
 */
async function finishDeletion(c: Context<UsersApp>, userId: string) {
  try {
    await userStateOf(c.env, userId).erase(userId);
  } catch (e) {
    throw new ApiError(
      "service_unavailable",
      `The erasure could not finish (${e instanceof Error ? e.message : String(e)}); retry the deletion.`,
    );
  }
  return c.body(null, 204);
}

/** camelCase drizzle rows → the API's snake_case. */
function snake<T extends Record<string, unknown>>(row: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`), v]));
}
