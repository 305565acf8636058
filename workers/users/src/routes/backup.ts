import type { OpenAPIHono } from "@hono/zod-openapi";
import { ApiError, defineRoute, jsonBody, jsonResponse, problemDoc, userStateOf, z } from "#core";
import { type DumpValue, decodeValue, encodeValue, type ObjectDump } from "#core/object-backup";
import { accountManifest, knownIds, type LedgerFacts, ledgerFacts, projectionRow, staleLedgers } from "../backup-consistency";
import type { Env, UsersApp } from "../env";

/**
 * Logical backup and restore of the whole platform (administrators only), used by `npm run backup`
 * and `npm run restore`, locally and against a deployment. The backup is NDJSON: a header, every
 * object's dump, every D1 table, then a manifest. The restore arrives in requests under the body limit:
 * begin (emptiness check, or wipe with force), D1 rows, objects, finish.
 */

export const BACKUP_FORMAT = 1;
/** Object classes and the D1 table whose ids name their objects (objects are named by those ids). */
const OBJECT_CLASSES = { AccountLedger: "accounts", UserState: "users", ScheduledPayment: "scheduled_payments" } as const;
type ObjectClass = keyof typeof OBJECT_CLASSES;
const BINDING: Record<ObjectClass, "LEDGER" | "USER_STATE" | "SCHEDULES"> = {
  AccountLedger: "LEDGER",
  UserState: "USER_STATE",
  ScheduledPayment: "SCHEDULES",
};
/** Rounds of "dump again what a payment in flight made inconsistent"; past this the platform is too busy. */
const MAX_ROUNDS = 12;
/** Objects dumped at once, unless the caller asks for fewer (a gentler backup of a busy platform). */
const PARALLEL = 16;
const PAGE = 500;

interface Dumpable {
  backupExport(): Promise<ObjectDump>;
  backupImport(dump: ObjectDump, replace?: boolean): Promise<{ ok: true }>;
}

function namespace(env: Env, cls: ObjectClass): DurableObjectNamespace | undefined {
  return (env as unknown as Record<string, DurableObjectNamespace | undefined>)[BINDING[cls]];
}

function stub(env: Env, cls: ObjectClass, name: string): Dumpable {
  const ns = namespace(env, cls)!;
  return ns.get(ns.idFromName(name)) as unknown as Dumpable;
}

const isEmptyDump = (d: ObjectDump) => d.alarm === null && d.kv.length === 0 && d.tables.every((t) => t.rows.length === 0);

async function d1Tables(db: D1Database): Promise<{ name: string; sql: string }[]> {
  const { results } = await db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name != 'd1_migrations' ORDER BY rowid",
    )
    .all<{ name: string; sql: string }>();
  return results;
}

async function d1Migrations(db: D1Database): Promise<string[]> {
  const { results } = await db.prepare("SELECT name FROM d1_migrations ORDER BY id").all<{ name: string }>();
  return results.map((r) => r.name);
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface D1Table {
  name: string;
  sql: string;
  columns: string[];
  rows: DumpValue[][];
}

/** Every row of every table, page by page in rowid order. */
async function exportD1(db: D1Database): Promise<D1Table[]> {
  const out: D1Table[] = [];
  for (const t of await d1Tables(db)) {
    const table: D1Table = { ...t, columns: [], rows: [] };
    for (let after = -Infinity; ; ) {
      const [columns, ...rows] = await db
        .prepare(`SELECT rowid AS __rowid, * FROM ${quote(t.name)} WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE}`)
        .bind(Number.isFinite(after) ? after : -9007199254740991)
        .raw<unknown[]>({ columnNames: true });
      table.columns = (columns as string[]).slice(1);
      for (const r of rows)
        table.rows.push(r.slice(1).map((v) => encodeValue((Array.isArray(v) ? new Uint8Array(v).buffer : v) as SqlStorageValue)));
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1][0] as number;
    }
    out.push(table);
  }
  return out;
}

async function inBatches<T>(items: T[], work: (item: T) => Promise<void>, parallel = PARALLEL) {
  for (let i = 0; i < items.length; i += parallel) await Promise.all(items.slice(i, i + parallel).map(work));
}

// ── GET /v1/admin/backup ────────────────────────────────────────────────────
export const getBackup = defineRoute({
  method: "get",
  path: "/v1/admin/backup",
  tags: ["admin"],
  summary: "A consistent logical backup of the platform as NDJSON (administrators only)",
  description:
    "Lines: `header` (format, time, D1 migrations), one `object` per Durable Object with data (its class, name and dump), one `d1` per table, then `manifest` (per-account entry counts, versions and head hashes). Objects are dumped one at a time, each atomically; objects a payment in flight left inconsistent are dumped again, and D1 is read last with its projection trimmed to the dumps.",
  scope: "admin",
  request: {
    query: z.object({
      concurrency: z.coerce
        .number()
        .int()
        .min(1)
        .max(PARALLEL)
        .optional()
        .openapi({ description: `objects dumped at once (1–${PARALLEL}, default ${PARALLEL}); fewer spreads the backup's load` }),
      exclude_caller: z
        .enum(["true", "false"])
        .optional()
        .openapi({ description: "leave out the calling administrator's own rows and state (a throwaway operator account)" }),
    }),
  },
  responses: {
    200: { description: "The backup, one JSON document per line", content: { "application/x-ndjson": { schema: z.string() } } },
    503: problemDoc("Payments kept the dumps from agreeing; retry"),
  },
});

// ── POST /v1/admin/restore ──────────────────────────────────────────────────
const restoreBegin = defineRoute({
  method: "post",
  path: "/v1/admin/restore",
  tags: ["admin"],
  summary: "Start a restore: refused unless the platform is empty (no user but the caller, no account) or `force` wipes D1",
  scope: "admin",
  request: {
    ...jsonBody(z.strictObject({ force: z.boolean().optional(), d1_migrations: z.array(z.string().max(200)).max(10_000) })),
  },
  responses: {
    200: jsonResponse(z.object({ status: z.literal("ready"), wiped: z.boolean() }), "The platform can take the backup"),
    409: problemDoc("The platform is not empty, or its D1 migrations do not match the backup's"),
  },
});

const valueSchema = z.union([z.number(), z.string(), z.null(), z.strictObject({ $b64: z.string() })]);
const ident = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/);

const restoreD1 = defineRoute({
  method: "post",
  path: "/v1/admin/restore/d1",
  tags: ["admin"],
  summary: "Restore rows of one D1 table (after POST /v1/admin/restore)",
  scope: "admin",
  request: {
    ...jsonBody(z.strictObject({ table: ident, columns: z.array(ident).min(1).max(100), rows: z.array(z.array(valueSchema)).max(5_000) })),
  },
  responses: {
    200: jsonResponse(z.object({ inserted: z.number().int() }), "Rows inserted"),
    409: problemDoc("A row is there already"),
  },
});

const dumpSchema = z.strictObject({
  format: z.literal(1),
  tables: z.array(z.strictObject({ name: z.string(), sql: z.string(), columns: z.array(z.string()), rows: z.array(z.array(valueSchema)) })),
  indexes: z.array(z.strictObject({ name: z.string(), sql: z.string() })),
  // [key, value] pairs (a tuple schema would not compile in strict JSON Schema validators)
  kv: z.array(
    z
      .array(z.unknown())
      .length(2)
      .refine((pair) => typeof pair[0] === "string", "a KV key is a string"),
  ),
  alarm: z.number().nullable(),
});

const restoreObject = defineRoute({
  method: "post",
  path: "/v1/admin/restore/objects",
  tags: ["admin"],
  summary: "Restore one Durable Object's dump into its (empty) object",
  scope: "admin",
  request: {
    ...jsonBody(
      z.strictObject({
        class: z.enum(["AccountLedger", "UserState", "ScheduledPayment"]),
        name: z.string().min(1).max(100),
        dump: dumpSchema,
        replace: z.boolean().optional(),
      }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true) }), "Restored"),
    409: problemDoc("The object holds data (and `replace` was not set)"),
  },
});

const restoreFinish = defineRoute({
  method: "post",
  path: "/v1/admin/restore/finish",
  tags: ["admin"],
  summary: "End a restore: the caller, unless restored with the backup, is signed out for good",
  scope: "admin",
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), caller_kept: z.boolean() }), "Done") },
});

export function mountBackupRoutes(app: OpenAPIHono<UsersApp>) {
  app.openapi(getBackup, async (c) => {
    const env = c.env;
    const query = c.req.valid("query");
    const caller = query.exclude_caller === "true" ? c.get("identity").sub : undefined;
    const classes = (Object.keys(OBJECT_CLASSES) as ObjectClass[]).filter((k) => namespace(env, k));
    const dumps = new Map<string, { cls: ObjectClass; name: string; dump: ObjectDump }>();
    const ledgers = new Map<string, LedgerFacts>();
    const key = (cls: ObjectClass, name: string) => `${cls}:${name}`;

    const dumpAll = (todo: { cls: ObjectClass; name: string }[]) =>
      inBatches(
        todo,
        async ({ cls, name }) => {
          const dump = await stub(env, cls, name).backupExport();
          dumps.set(key(cls, name), { cls, name, dump });
          if (cls === "AccountLedger") ledgers.set(name, ledgerFacts(name, dump));
        },
        query.concurrency,
      );
    const uncovered = (tables: D1Table[]) => {
      const todo: { cls: ObjectClass; name: string }[] = [];
      for (const cls of classes) {
        const t = tables.find((x) => x.name === OBJECT_CLASSES[cls]);
        const at = t?.columns.indexOf("id") ?? -1;
        for (const r of at >= 0 ? t!.rows : []) {
          const name = String(r[at]);
          if (name !== caller && !dumps.has(key(cls, name))) todo.push({ cls, name });
        }
      }
      return todo;
    };

    let tables = await exportD1(env.DB);
    let todo = uncovered(tables);
    let rounds = 0;
    let redumps = 0;
    for (let round = 0; ; round++) {
      rounds = round + 1;
      if (round >= MAX_ROUNDS)
        throw new ApiError("internal", "Payments in flight kept the dumps from agreeing; retry the backup.", { status: 503 });
      await dumpAll(todo);
      const stale = [...staleLedgers(ledgers)].filter((a) => a.startsWith("acc_"));
      if (stale.length) {
        redumps += stale.length;
        todo = stale.map((name) => ({ cls: "AccountLedger" as const, name }));
        continue;
      }
      // D1 last: it then holds every projected row of the dumps, and rows newer than them are trimmed.
      tables = await exportD1(env.DB);
      todo = uncovered(tables);
      if (!todo.length) break;
    }

    const known = knownIds(ledgers);
    const migrations = await d1Migrations(env.DB);
    const d1Counts: Record<string, number> = {};
    for (const t of tables) {
      const uid = t.columns.indexOf("user_id");
      const id = t.columns.indexOf("id");
      t.rows = t.rows.filter((r) => {
        if (caller && ((t.name === "users" && r[id] === caller) || (uid >= 0 && r[uid] === caller))) return false;
        if (t.name !== "entries" && t.name !== "payments") return true;
        return projectionRow(t.name, Object.fromEntries(t.columns.map((c, i) => [c, r[i]])), known);
      });
      d1Counts[t.name] = t.rows.length;
    }
    const objects = [...dumps.values()].filter((d) => !isEmptyDump(d.dump));
    const objectCounts: Record<string, number> = {};
    for (const o of objects) objectCounts[o.cls] = (objectCounts[o.cls] ?? 0) + 1;
    const manifest = {
      type: "manifest",
      accounts: accountManifest(ledgers),
      objects: objectCounts,
      d1: d1Counts,
      payments: known.payments.size,
      // Reserved at backup time: the restored ledgers finish them, so these accounts move on after a restore.
      reserved: [...ledgers.values()].flatMap((l) =>
        [...l.sent]
          .filter(([, p]) => p.state === "reserved")
          .map(([id, p]) => ({ payment: id, source: l.account_id, destination: p.destination })),
      ),
      rounds,
      redumps,
    };
    const lines = function* () {
      yield { type: "header", format: BACKUP_FORMAT, created_at: new Date().toISOString(), d1_migrations: migrations };
      for (const o of objects) yield { type: "object", class: o.cls, name: o.name, dump: o.dump };
      for (const t of tables) yield { type: "d1", table: t.name, sql: t.sql, columns: t.columns, rows: t.rows };
      yield manifest;
    };
    const it = lines();
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = it.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`));
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": "application/x-ndjson" } }) as never;
  });

  app.openapi(restoreBegin, async (c) => {
    const { force = false, d1_migrations } = c.req.valid("json");
    const db = c.env.DB;
    const here = await d1Migrations(db);
    if (d1_migrations.some((m, i) => here[i] !== m))
      throw new ApiError("conflict", "This database's migrations do not start with the backup's: apply the same migrations first.");
    const me = c.get("identity").sub;
    const others = await db
      .prepare("SELECT (SELECT count(*) FROM users WHERE id != ?) + (SELECT count(*) FROM accounts) AS n")
      .bind(me)
      .first<number>("n");
    if (others && !force)
      throw new ApiError("conflict", "The platform is not empty: restore into an empty one, or pass force to replace it.");
    const tables = await d1Tables(db);
    // Wiped whether or not it was empty: the caller's own rows leave too (their object state keeps them signed in until finish).
    await db.batch(tables.reverse().map((t) => db.prepare(`DELETE FROM ${quote(t.name)}`)));
    return c.json({ status: "ready" as const, wiped: !!others }, 200);
  });

  app.openapi(restoreD1, async (c) => {
    const { table, columns, rows } = c.req.valid("json");
    const db = c.env.DB;
    if (!(await d1Tables(db)).some((t) => t.name === table))
      throw new ApiError("validation_failed", `No table ${table} here.`, { status: 422 });
    if (rows.some((r) => r.length !== columns.length))
      throw new ApiError("validation_failed", "Every row needs one value per column.", { status: 422 });
    if (!rows.length) return c.json({ inserted: 0 }, 200);
    const insert = `INSERT INTO ${quote(table)} (${columns.map(quote).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
    try {
      await db.batch(rows.map((r) => db.prepare(insert).bind(...r.map((v) => decodeValue(v)))));
    } catch (e) {
      if (/UNIQUE|PRIMARY KEY/i.test(String(e))) throw new ApiError("conflict", `A row of ${table} is there already.`);
      if (/no column|has no column/i.test(String(e))) throw new ApiError("validation_failed", String(e), { status: 422 });
      throw e;
    }
    return c.json({ inserted: rows.length }, 200);
  });

  app.openapi(restoreObject, async (c) => {
    const { class: cls, name, dump, replace = false } = c.req.valid("json");
    if (!namespace(c.env, cls)) throw new ApiError("validation_failed", `This deployment has no ${cls} objects.`, { status: 422 });
    try {
      await stub(c.env, cls, name).backupImport(dump as ObjectDump, replace);
    } catch (e) {
      if (/not empty/.test(String(e))) throw new ApiError("conflict", `${cls} ${name} holds data already.`);
      throw e;
    }
    return c.json({ ok: true as const }, 200);
  });

  app.openapi(restoreFinish, async (c) => {
    const me = c.get("identity").sub;
    const kept = await c.env.DB.prepare("SELECT 1 AS x FROM users WHERE id = ?").bind(me).first("x");
    // The operator account the restore ran under is not part of the backup: its tokens stop here.
    if (!kept) await userStateOf(c.env, me).erase(me);
    return c.json({ ok: true as const, caller_kept: !!kept }, 200);
  });
}
