// `npm run ledger:check [STATE_DIR]`: audits the local ledger straight from the stored SQLite files
// (every AccountLedger object and the D1 projection), independently of the running code paths.
// Exits 1 on any difference. STATE_DIR defaults to .wrangler/state (what `npm run dev` uses).
// The stack may be running: a file a live object is writing is waited for (busy timeout), not read half-written.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { auditLedger, type AccountSnapshot } from "../workers/transactions/src/ledger/audit";

const state = path.resolve(process.argv[2] ?? ".wrangler/state", "v3");
const sqliteFiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
        .map((f) => path.join(dir, f))
    : [];
const hasTable = (db: DatabaseSync, name: string) =>
  !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);

const accounts: AccountSnapshot[] = [];
const doRoot = path.join(state, "do");
for (const dir of existsSync(doRoot) ? readdirSync(doRoot).filter((d) => d.endsWith("AccountLedger")) : [])
  for (const file of sqliteFiles(path.join(doRoot, dir))) {
    const db = new DatabaseSync(file, { readOnly: true, timeout: 10_000 });
    if (hasTable(db, "meta"))
      accounts.push({
        meta: (db.prepare("SELECT account_id, currency, overdraft_limit FROM meta").get() as AccountSnapshot["meta"]) ?? null,
        entries: db.prepare("SELECT * FROM entries ORDER BY version").all() as Record<string, unknown>[],
        holds: db.prepare("SELECT * FROM holds").all() as Record<string, unknown>[],
        payments: db.prepare("SELECT id, state FROM payments").all() as { id: string; state: string }[],
      });
    db.close();
  }

let projection: Record<string, unknown>[] = [];
for (const file of sqliteFiles(path.join(state, "d1", "miniflare-D1DatabaseObject"))) {
  const db = new DatabaseSync(file, { readOnly: true, timeout: 10_000 });
  if (hasTable(db, "entries")) projection = projection.concat(db.prepare("SELECT * FROM entries").all() as Record<string, unknown>[]);
  db.close();
}

const problems = auditLedger(accounts, projection);
const entries = accounts.reduce((n, a) => n + a.entries.length, 0);
console.log(`ledger:check — ${accounts.length} accounts, ${entries} entries, ${projection.length} projected rows`);
for (const p of problems) console.log(`  ✗ ${p}`);
console.log(
  problems.length
    ? `${problems.length} difference(s)`
    : "✓ balances, versions, hash chains, limits, payment pairs, per-currency sums and projection agree",
);
process.exit(problems.length ? 1 : 0);
