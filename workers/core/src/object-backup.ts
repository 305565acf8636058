/**
 * A logical backup of one SQLite-backed Durable Object: every table of `ctx.storage.sql` with its
 * schema, its indexes, the synchronous KV entries and the alarm. Any object class gets backup and
 * restore from two thin RPC methods that call these functions, so a new class needs no code of its own.
 *
 * Export reads everything in one synchronous stretch (after the one await for the alarm), so the dump
 * is one point in the object's history: no request can run in between. Import writes into an empty
 * object in one `transactionSync`: all of it lands or none of it.
 */

export const OBJECT_DUMP_FORMAT = 1;

/** A stored value: SQLite's numbers, text and null as they are; a BLOB as base64 under `$b64`. */
export type DumpValue = number | string | null | { $b64: string };

export interface DumpTable {
  name: string;
  /** The table's CREATE statement, as SQLite stored it. */
  sql: string;
  columns: string[];
  rows: DumpValue[][];
}

export interface ObjectDump {
  format: typeof OBJECT_DUMP_FORMAT;
  tables: DumpTable[];
  /** CREATE INDEX statements of the explicit indexes (automatic ones come back with their tables). */
  indexes: { name: string; sql: string }[];
  /** The synchronous KV API's entries (stored by the runtime in an internal table this dump skips). */
  kv: [string, unknown][];
  /** When the alarm was due, or null. */
  alarm: number | null;
}

/**
 * Tables and indexes of the runtime (`_cf_…`; locally also miniflare's `__miniflare_…`, which records
 * the object's name) and of SQLite itself (`sqlite_…`) are not the object's data.
 */
const OWN =
  "name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE '\\_\\_miniflare\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

/** The same rule in JavaScript, for dumps made elsewhere (a local dump carries miniflare's table). */
const internal = (name: string) => /^(_cf_|__miniflare_|sqlite_)/.test(name);

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function encodeValue(v: SqlStorageValue): DumpValue {
  if (v instanceof ArrayBuffer) return { $b64: toBase64(new Uint8Array(v)) };
  return v as number | string | null;
}

export function decodeValue(v: DumpValue): SqlStorageValue {
  return v !== null && typeof v === "object" ? (fromBase64(v.$b64).buffer as ArrayBuffer) : v;
}

interface Schema {
  tables: { name: string; sql: string }[];
  indexes: { name: string; sql: string }[];
}

function readSchema(sql: SqlStorage): Schema {
  const rows = sql
    .exec<{ type: string; name: string; sql: string | null }>(`SELECT type, name, sql FROM sqlite_master WHERE ${OWN} ORDER BY rowid`)
    .toArray();
  return {
    tables: rows.filter((r) => r.type === "table" && r.sql).map((r) => ({ name: r.name, sql: r.sql! })),
    indexes: rows.filter((r) => r.type === "index" && r.sql).map((r) => ({ name: r.name, sql: r.sql! })),
  };
}

/** The whole object as data. Only the alarm is awaited, before the synchronous read of the rest. */
export async function exportObject(storage: DurableObjectStorage): Promise<ObjectDump> {
  const alarm = await storage.getAlarm();
  const { tables, indexes } = readSchema(storage.sql);
  return {
    format: OBJECT_DUMP_FORMAT,
    tables: tables.map(({ name, sql }) => {
      const cursor = storage.sql.exec(`SELECT * FROM ${quote(name)} ORDER BY rowid`);
      const rows = [...cursor.raw()].map((r) => r.map(encodeValue));
      return { name, sql, columns: cursor.columnNames, rows };
    }),
    indexes,
    kv: [...storage.kv.list()],
    alarm,
  };
}

/** Why this object cannot take a restore: the first table (or the KV store) that holds data. */
export function nonEmpty(storage: DurableObjectStorage): string | undefined {
  for (const t of readSchema(storage.sql).tables)
    if (storage.sql.exec(`SELECT 1 FROM ${quote(t.name)} LIMIT 1`).toArray().length) return `table ${t.name} has rows`;
  for (const _ of storage.kv.list({ limit: 1 })) return "the KV store has entries";
  return undefined;
}

export class ObjectNotEmpty extends Error {}

/**
 * Loads `dump` into this object, which must hold no data (tables its constructor created empty are
 * fine: they are filled, not recreated), then re-arms the alarm. `replace` wipes the object first.
 */
export async function importObject(storage: DurableObjectStorage, dump: ObjectDump, options: { replace?: boolean } = {}): Promise<void> {
  if (dump.format !== OBJECT_DUMP_FORMAT) throw new Error(`unknown object dump format ${dump.format}`);
  if (options.replace) await storage.deleteAll();
  const refusal = nonEmpty(storage);
  if (refusal) throw new ObjectNotEmpty(`the object is not empty: ${refusal}`);
  storage.transactionSync(() => {
    const existing = readSchema(storage.sql);
    const have = new Set([...existing.tables, ...existing.indexes].map((t) => t.name));
    for (const t of dump.tables) {
      if (internal(t.name)) continue;
      if (!have.has(t.name)) storage.sql.exec(t.sql);
      if (!t.rows.length) continue;
      const insert = `INSERT INTO ${quote(t.name)} (${t.columns.map(quote).join(", ")}) VALUES (${t.columns.map(() => "?").join(", ")})`;
      for (const row of t.rows) storage.sql.exec(insert, ...row.map(decodeValue));
    }
    for (const i of dump.indexes) if (!have.has(i.name) && !internal(i.name)) storage.sql.exec(i.sql);
    for (const [k, v] of dump.kv) storage.kv.put(k, v);
  });
  if (dump.alarm !== null) await storage.setAlarm(dump.alarm);
}

/** Rows of one table of a dump as objects (for manifests and checks outside the object). */
export function dumpRows(dump: ObjectDump, table: string): Record<string, unknown>[] {
  const t = dump.tables.find((x) => x.name === table);
  if (!t) return [];
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
}
