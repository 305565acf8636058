/**
 * The one source of the D1 tables. Amounts are integers in minor units; timestamps are ISO 8601 UTC
 * text (they sort lexically); ids are prefixed, time-sortable strings (workers/core/src/ids.ts).
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const createdAt = () => text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

// ── auth & users ────────────────────────────────────────────────────────────
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email"), // normalised lower case; null once erased
    name: text("name"),
    passwordHash: text("password_hash"), // "scrypt$N$r$p$salt$hash"; null once erased
    role: text("role", { enum: ["user", "admin"] })
      .notNull()
      .default("user"),
    status: text("status", { enum: ["active", "suspended", "deleted"] })
      .notNull()
      .default("active"),
    locale: text("locale").notNull().default("en"),
    timezone: text("timezone").notNull().default("UTC"),
    baseCurrency: text("base_currency").notNull().default("EUR"),
    taxResidence: text("tax_residence"),
    createdAt: createdAt(),
    updatedAt: text("updated_at"),
    deletedAt: text("deleted_at"),
  },
  (t) => [uniqueIndex("users_email").on(t.email)],
);

export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    familyId: text("family_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    clientId: text("client_id"),
    scope: text("scope").notNull(),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
    revokedAt: text("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash").on(t.tokenHash),
    index("refresh_tokens_family").on(t.familyId),
    index("refresh_tokens_user").on(t.userId),
  ],
);

export const apiClients = sqliteTable(
  "api_clients",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    name: text("name").notNull(),
    secretHash: text("secret_hash").notNull(),
    scopes: text("scopes").notNull(), // space-separated
    createdAt: createdAt(),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("api_clients_user").on(t.userId)],
);

export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: text("id").primaryKey(),
    userId: text("user_id"),
    type: text("type").notNull(),
    ip: text("ip"),
    requestId: text("request_id"),
    detail: text("detail"), // JSON, never secrets
    createdAt: createdAt(),
  },
  (t) => [index("audit_events_user").on(t.userId, t.createdAt, t.id)],
);

// ── finance ─────────────────────────────────────────────────────────────────
export const accounts = sqliteTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    name: text("name").notNull(),
    type: text("type", { enum: ["checking", "savings", "credit_card", "cash", "investment", "loan"] }).notNull(),
    currency: text("currency").notNull(),
    overdraftLimit: integer("overdraft_limit"), // null = no limit
    status: text("status", { enum: ["open", "closed"] })
      .notNull()
      .default("open"),
    createdAt: createdAt(),
    closedAt: text("closed_at"),
    // The ledger object's balance, projected through its outbox after each change (GET /v1/accounts reads
    // these; one account's own routes ask the object).
    balanceCurrent: integer("balance_current").notNull().default(0),
    balancePending: integer("balance_pending").notNull().default(0),
    balanceVersion: integer("balance_version").notNull().default(0),
  },
  (t) => [index("accounts_user").on(t.userId, t.createdAt, t.id)],
);

export const categories = sqliteTable(
  "categories",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    name: text("name").notNull(),
    parent: text("parent").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("categories_user_name").on(t.userId, t.name)],
);

export const categoryRules = sqliteTable(
  "category_rules",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    contains: text("contains").notNull(), // lower-cased substring of the description
    category: text("category").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("category_rules_user_contains").on(t.userId, t.contains)],
);

export const budgets = sqliteTable(
  "budgets",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    category: text("category").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    period: text("period", { enum: ["month"] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("budgets_user").on(t.userId, t.createdAt, t.id),
    uniqueIndex("budgets_user_category").on(t.userId, t.category, t.currency, t.period),
  ],
);

// ── ledger projection (written only by the AccountLedger outbox) ────────────
export const entries = sqliteTable(
  "entries",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    userId: text("user_id").notNull(),
    version: integer("version").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    description: text("description").notNull(),
    category: text("category").notNull(),
    counterparty: text("counterparty"),
    notes: text("notes"),
    occurredAt: text("occurred_at").notNull(), // YYYY-MM-DD or date-time as given
    occurredDate: text("occurred_date").notNull(), // YYYY-MM-DD, for date filters and reports
    externalId: text("external_id"),
    paymentId: text("payment_id"),
    reversesId: text("reverses_id"),
    importId: text("import_id"),
    balanceAfter: integer("balance_after").notNull(),
    hash: text("hash").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("entries_account_version").on(t.accountId, t.version),
    index("entries_account_created").on(t.accountId, t.createdAt, t.id),
    index("entries_user_date").on(t.userId, t.occurredDate),
  ],
);

/** destination_user_id is '' while the destination has not credited the payment yet (its object names its owner). */
export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    destinationUserId: text("destination_user_id").notNull(),
    sourceAccountId: text("source_account_id").notNull(),
    destinationAccountId: text("destination_account_id").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    description: text("description"),
    status: text("status", { enum: ["pending", "completed", "failed"] }).notNull(),
    failureCode: text("failure_code"),
    createdAt: text("created_at").notNull(),
    completedAt: text("completed_at"),
  },
  (t) => [index("payments_user").on(t.userId, t.createdAt, t.id), index("payments_dest_user").on(t.destinationUserId, t.createdAt, t.id)],
);

export const imports = sqliteTable("imports", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  userId: text("user_id").notNull(),
  format: text("format", { enum: ["csv", "ofx", "qif", "camt.053"] }).notNull(),
  imported: integer("imported").notNull(),
  duplicates: integer("duplicates").notNull(),
  failed: integer("failed").notNull(),
  errors: text("errors").notNull(), // JSON [{line, message}]
  createdAt: createdAt(),
});

/** Idempotency-Keys claimed per caller (`caller:key`) by the previous release; claims are now made in
 * each user's UserState object and nothing writes here. Kept for one release so a rollback still finds
 * it (user deletion still erases a user's rows); drop it in the next one. */
export const idempotencyKeys = sqliteTable("idempotency_keys", {
  key: text("key").primaryKey(),
  fingerprint: text("fingerprint").notNull(),
  createdAt: createdAt(),
});

// ── events and webhooks (events written through the objects' outboxes; the webhooks worker owns the rest) ──
/** One row per (fact, user it concerns): a payment's payer and payee each get their own event. */
export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    type: text("type").notNull(),
    data: text("data").notNull(), // JSON {object}
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("events_user").on(t.userId, t.createdAt, t.id), index("events_user_type").on(t.userId, t.type, t.createdAt, t.id)],
);

export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    url: text("url").notNull(),
    events: text("events").notNull(), // JSON array of event types
    description: text("description"),
    status: text("status", { enum: ["enabled", "disabled"] }).notNull(),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: text("previous_secret_expires_at"),
    failingSince: text("failing_since"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_user").on(t.userId, t.createdAt, t.id)],
);

export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id").notNull(),
    userId: text("user_id").notNull(),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    status: text("status", { enum: ["pending", "succeeded", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    nextAttemptAt: text("next_attempt_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_endpoint_event").on(t.endpointId, t.eventId),
    index("webhook_deliveries_endpoint").on(t.endpointId, t.createdAt, t.id),
  ],
);

// ── scheduled payments (projection of the ScheduledPayment objects, for lists) ──
export const scheduledPayments = sqliteTable(
  "scheduled_payments",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    sourceAccountId: text("source_account_id").notNull(),
    destinationAccountId: text("destination_account_id").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    description: text("description"),
    startAt: text("start_at").notNull(),
    intervalUnit: text("interval_unit", { enum: ["day", "week", "month", "year"] }),
    intervalCount: integer("interval_count"),
    endAt: text("end_at"),
    maxOccurrences: integer("max_occurrences"),
    status: text("status", { enum: ["active", "completed", "cancelled"] }).notNull(),
    nextRunAt: text("next_run_at"),
    occurrencesExecuted: integer("occurrences_executed").notNull().default(0),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("scheduled_payments_user").on(t.userId, t.createdAt, t.id)],
);
