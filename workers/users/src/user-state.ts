import { DurableObject } from "cloudflare:workers";
import { exportObject, importObject, type ObjectDump } from "#core/object-backup";
import type { CallerState, KeyClaim, UserStateRpc } from "#core/user-state";
import { callerFromRow, claimVerdict, expiredBefore, nextPruneAt, readStillCurrent } from "./user-state-policy";

interface UserStateEnv {
  DB: D1Database;
}

/**
 * One object per user (named by the user id): the user's status and role, which the gateway asks for
 * on every request instead of reading D1, and the Idempotency-Keys the user has claimed on any account.
 * Register, the admin PATCH, sign-in, refresh and deletion update it after writing D1; a user older
 * than the object is read from D1 once, by the object itself. SQLite storage, so state survives evictions.
 */
export class UserState extends DurableObject<UserStateEnv> implements UserStateRpc {
  /** Writes so far in this instance; a D1 read overlapping one is dropped (the write is newer). */
  private writes = 0;
  private filling: Promise<CallerState | null> | undefined;
  private alarmArmed = false;

  constructor(ctx: DurableObjectState, env: UserStateEnv) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS caller (user_id TEXT PRIMARY KEY, status TEXT NOT NULL, role TEXT NOT NULL, updated_at INTEGER NOT NULL)",
    );
    sql.exec("CREATE TABLE IF NOT EXISTS idempotency_keys (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, created_at INTEGER NOT NULL)");
    sql.exec("CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created_at)");
  }

  private stored(): CallerState | null {
    const row = this.ctx.storage.sql.exec<{ status: string; role: string }>("SELECT status, role FROM caller").toArray()[0];
    return row ? callerFromRow(row) : null;
  }

  private write(userId: string, state: CallerState) {
    this.writes++;
    this.ctx.storage.sql.exec("DELETE FROM caller WHERE user_id != ?", userId);
    this.ctx.storage.sql.exec(
      "INSERT INTO caller (user_id, status, role, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET status = excluded.status, role = excluded.role, updated_at = excluded.updated_at",
      userId,
      state.status,
      state.role,
      Date.now(),
    );
  }

  /**
   * Reads the user's row in D1 and keeps it. A read overlapped by another write (a reload that finished
   * first, init, erase) is repeated, so the row read last wins whatever order the answers come back in.
   */
  private async readD1(userId: string): Promise<CallerState | null> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const started = this.writes;
      const row = await this.env.DB.prepare("SELECT status, role FROM users WHERE id = ?")
        .bind(userId)
        .first<{ status: string; role: string }>();
      if (this.stored()?.status === "deleted") return this.stored(); // deletion is final
      if (!readStillCurrent(started, this.writes)) continue;
      if (!row) return null; // not stored: an id that is not (yet) a user stays unknown
      const state = callerFromRow(row);
      this.write(userId, state);
      return state;
    }
    return this.stored();
  }

  async caller(userId: string): Promise<CallerState | null> {
    const known = this.stored();
    if (known) return known;
    // Concurrent first requests share one D1 read.
    this.filling ??= this.readD1(userId).finally(() => (this.filling = undefined));
    return this.filling;
  }

  async init(userId: string, state: CallerState): Promise<void> {
    // Never over a state already there: an admin's change could have landed first.
    if (this.stored()) return;
    this.write(userId, callerFromRow(state));
  }

  async reload(userId: string): Promise<CallerState | null> {
    if (this.stored()?.status === "deleted") return this.stored();
    return this.readD1(userId);
  }

  async claimKey(key: string, fingerprint: string): Promise<KeyClaim> {
    const sql = this.ctx.storage.sql;
    // A request that passed the gateway before the deletion: the ledger refuses it, and no key is kept.
    if (this.stored()?.status === "deleted") return { ok: true };
    const now = Date.now();
    sql.exec("DELETE FROM idempotency_keys WHERE created_at < ?", expiredBefore(now));
    // Read and insert in one synchronous stretch: concurrent claims of one key cannot both win.
    const stored = sql.exec("SELECT fingerprint FROM idempotency_keys WHERE key = ?", key).toArray()[0]?.fingerprint as string | undefined;
    const verdict = claimVerdict(stored, fingerprint);
    if (verdict === "reused") return { ok: false, code: "idempotency_key_reused" };
    if (verdict === "claim") {
      sql.exec("INSERT INTO idempotency_keys (key, fingerprint, created_at) VALUES (?, ?, ?)", key, fingerprint, now);
      if (!this.alarmArmed) {
        this.alarmArmed = true;
        if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(nextPruneAt(now)!);
      }
    }
    return { ok: true };
  }

  async erase(userId: string): Promise<void> {
    const role = this.stored()?.role ?? "user";
    this.write(userId, { status: "deleted", role });
    this.ctx.storage.sql.exec("DELETE FROM idempotency_keys");
    await this.ctx.storage.deleteAlarm();
    this.alarmArmed = false;
  }

  /** Drops expired claims; re-armed for the oldest one left. */
  override async alarm() {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM idempotency_keys WHERE created_at < ?", expiredBefore(Date.now()));
    const oldest = sql.exec("SELECT min(created_at) AS t FROM idempotency_keys").one().t as number | null;
    const next = nextPruneAt(oldest ?? undefined);
    if (next !== null) await this.ctx.storage.setAlarm(next);
    this.alarmArmed = next !== null;
  }

  // ── backup and restore (the admin backup route; workers/core/src/object-backup.ts) ──
  async backupExport(): Promise<ObjectDump> {
    return exportObject(this.ctx.storage);
  }

  /** Loads a dump into this object (empty: the tables its constructor made hold no rows), alarm included. */
  async backupImport(dump: ObjectDump, replace = false): Promise<{ ok: true }> {
    await importObject(this.ctx.storage, dump, { replace });
    this.writes++; // a D1 read in flight must not overwrite the restored state
    this.alarmArmed = (await this.ctx.storage.getAlarm()) !== null;
    return { ok: true };
  }
}
