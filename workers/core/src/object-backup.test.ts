import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, exportObject, importObject, nonEmpty, type ObjectDump } from "./object-backup";

// Any SQLite-backed class will do: the functions only see `ctx.storage`. UserState's constructor makes
// its own (empty) tables, which is the case an import must accept.
const ns = () => env.USER_STATE as DurableObjectNamespace;
const fresh = () => ns().get(ns().newUniqueId());
const inObject = <T>(stub: DurableObjectStub, fn: (storage: DurableObjectStorage) => T | Promise<T>) =>
  runInDurableObject(stub, (_i, state) => fn(state.storage));

async function populated(): Promise<{ stub: DurableObjectStub; dump: ObjectDump; alarm: number }> {
  const stub = fresh();
  const alarm = Date.now() + 3_600_000;
  const dump = await inObject(stub, async (s) => {
    s.sql.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT, data BLOB, n INTEGER)");
    s.sql.exec("CREATE INDEX notes_body ON notes(body)");
    s.sql.exec(
      "INSERT INTO notes (body, data, n) VALUES (?, ?, ?)",
      'it\'s "quoted"\nand multi-line',
      new Uint8Array([0, 1, 255]),
      2 ** 53 - 1,
    );
    s.sql.exec("INSERT INTO notes (body, data, n) VALUES (NULL, NULL, -7)");
    s.sql.exec("INSERT INTO idempotency_keys (key, fingerprint, created_at) VALUES ('k1', 'f1', 1)");
    s.kv.put("erased", true);
    s.kv.put("nested", { a: [1, "two"] });
    await s.setAlarm(alarm);
    return exportObject(s);
  });
  return { stub, dump, alarm };
}

describe("object backup", () => {
  it("exports every own table, its indexes, the KV entries and the alarm, and skips the runtime's tables", async () => {
    const { dump, alarm } = await populated();
    const names = dump.tables.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["caller", "idempotency_keys", "notes"]));
    expect(names.some((n) => n.startsWith("_cf_") || n.startsWith("__miniflare") || n.startsWith("sqlite_"))).toBe(false);
    expect(dump.indexes.map((i) => i.name)).toEqual(expect.arrayContaining(["idempotency_keys_created", "notes_body"]));
    expect(dump.kv).toEqual([
      ["erased", true],
      ["nested", { a: [1, "two"] }],
    ]);
    expect(dump.alarm).toBe(alarm);
    const notes = dump.tables.find((t) => t.name === "notes")!;
    expect(notes.columns).toEqual(["id", "body", "data", "n"]);
    expect(notes.rows[0]).toEqual([1, 'it\'s "quoted"\nand multi-line', { $b64: "AAH/" }, 2 ** 53 - 1]);
    // The dump is plain JSON (it travels over RPC and into an NDJSON file).
    expect(JSON.parse(JSON.stringify(dump))).toEqual(dump);
  });

  it("imports into an empty object and exports the same again, alarm re-armed", async () => {
    const { dump, alarm } = await populated();
    const target = fresh();
    const again = await inObject(target, async (s) => {
      await importObject(s, JSON.parse(JSON.stringify(dump)));
      expect(await s.getAlarm()).toBe(alarm);
      // AUTOINCREMENT continues after the restored rows.
      s.sql.exec("INSERT INTO notes (body) VALUES ('next')");
      expect(s.sql.exec("SELECT max(id) AS m FROM notes").one().m).toBe(3);
      s.sql.exec("DELETE FROM notes WHERE id = 3");
      return exportObject(s);
    });
    expect(again).toEqual(dump);
  });

  it("refuses an object that holds data, leaving it as it was; replace wipes it first", async () => {
    const { dump } = await populated();
    const target = fresh();
    await inObject(target, async (s) => {
      s.sql.exec("INSERT INTO caller (user_id, status, role, updated_at) VALUES ('usr_x', 'active', 'user', 1)");
      expect(nonEmpty(s)).toBe("table caller has rows");
      await expect(importObject(s, dump)).rejects.toThrow(/not empty/);
      expect(s.sql.exec("SELECT count(*) AS n FROM caller").one().n).toBe(1);
      expect(s.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'notes'").toArray()).toEqual([]);
      await importObject(s, dump, { replace: true });
      expect(s.sql.exec("SELECT count(*) AS n FROM caller").one().n).toBe(0);
      expect(s.sql.exec("SELECT count(*) AS n FROM notes").one().n).toBe(2);
    });
    const kvOnly = fresh();
    await inObject(kvOnly, async (s) => {
      s.kv.put("x", 1);
      expect(nonEmpty(s)).toBe("the KV store has entries");
    });
  });

  it("loads all or nothing: a failing row rolls the whole import back", async () => {
    const { dump } = await populated();
    const broken: ObjectDump = JSON.parse(JSON.stringify(dump));
    const notes = broken.tables.find((t) => t.name === "notes")!;
    notes.rows.push([...notes.rows[0]]); // the same primary key twice
    const target = fresh();
    await inObject(target, async (s) => {
      await expect(importObject(s, broken)).rejects.toThrow();
      expect(s.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'notes'").toArray()).toEqual([]);
      expect(s.sql.exec("SELECT count(*) AS n FROM idempotency_keys").one().n).toBe(0);
      expect([...s.kv.list()]).toEqual([]);
    });
  });

  it("encodes blobs as base64 and leaves other values alone", () => {
    const bytes = new Uint8Array([104, 105]).buffer;
    expect(encodeValue(bytes)).toEqual({ $b64: "aGk=" });
    expect(new Uint8Array(decodeValue({ $b64: "aGk=" }) as ArrayBuffer)).toEqual(new Uint8Array([104, 105]));
    for (const v of [0, -1.5, "", "x", null]) expect(decodeValue(encodeValue(v))).toBe(v);
  });
});
