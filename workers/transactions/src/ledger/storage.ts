/**
 * The object's own SQLite schema, applied in order and recorded in `_migrations` so later versions
 * can add steps without touching stored ledgers.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE meta (
     account_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, currency TEXT NOT NULL,
     overdraft_limit INTEGER, status TEXT NOT NULL DEFAULT 'open', created_at TEXT NOT NULL);
   CREATE TABLE entries (
     version INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, amount INTEGER NOT NULL,
     description TEXT NOT NULL, category TEXT NOT NULL, counterparty TEXT, notes TEXT,
     occurred_at TEXT NOT NULL, occurred_date TEXT NOT NULL, external_id TEXT, payment_id TEXT,
     reverses_id TEXT, import_id TEXT, balance_after INTEGER NOT NULL, hash TEXT NOT NULL, created_at TEXT NOT NULL);
   CREATE UNIQUE INDEX entries_external ON entries(external_id) WHERE external_id IS NOT NULL;
   CREATE INDEX entries_natural ON entries(occurred_date, amount, description);
   CREATE UNIQUE INDEX entries_payment ON entries(payment_id) WHERE payment_id IS NOT NULL;
   CREATE UNIQUE INDEX entries_reverses ON entries(reverses_id) WHERE reverses_id IS NOT NULL;
   CREATE TABLE holds (payment_id TEXT PRIMARY KEY, amount INTEGER NOT NULL, created_at TEXT NOT NULL);
   CREATE TABLE payments (
     id TEXT PRIMARY KEY, state TEXT NOT NULL, body TEXT NOT NULL, idem TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE idempotency (
     key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, result TEXT, created_at TEXT NOT NULL);
   CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, stmt TEXT NOT NULL);`,
  // Categories filled in after the answer, projection lag.
  `ALTER TABLE entries ADD COLUMN category_status TEXT NOT NULL DEFAULT 'final';
   CREATE INDEX entries_pending_category ON entries(category_status) WHERE category_status = 'pending';
   ALTER TABLE outbox ADD COLUMN enqueued_at INTEGER;`,
  // Events recorded with the fact they describe, published after the projection (projection.ts).
  "ALTER TABLE outbox ADD COLUMN event TEXT;",
  // Payments from other users as their payee reads them until D1 has them (GET /v1/payments/{id}).
  "CREATE TABLE received (payment_id TEXT PRIMARY KEY, body TEXT NOT NULL);",
];

/** Whether this object's storage has been set up (an account was opened here). Reads only. */
export const isOpened = (sql: SqlStorage) =>
  sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray().length > 0;

export function migrate(sql: SqlStorage) {
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  const done = (sql.exec("SELECT max(version) AS v FROM _migrations").one().v as number | null) ?? 0;
  for (let v = done + 1; v <= MIGRATIONS.length; v++) {
    sql.exec(MIGRATIONS[v - 1]);
    sql.exec("INSERT INTO _migrations (version, applied_at) VALUES (?, ?)", v, new Date().toISOString());
  }
}
