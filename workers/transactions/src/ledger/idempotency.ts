import type { IdempotencyKey, LedgerOutcome } from "#core";
import { isErased } from "./erasure";

/**
 * Idempotency-Keys (scoped to the caller) stored beside the money they protect: the response of the
 * first request, or null while it runs. Same key and fingerprint → the stored answer, marked
 * `replayed`; another fingerprint → idempotency_key_reused; still running → in progress.
 */
export class IdempotencyRecords {
  constructor(
    private readonly sql: SqlStorage,
    private readonly kv: SyncKvStorage,
  ) {}

  /**
   * `abandonAfterMs`: a request still marked running after that long died midway (an import, which
   * no alarm finishes); its key is free for the same request again.
   */
  replay<T>(idem: IdempotencyKey | undefined, abandonAfterMs = Infinity): LedgerOutcome<T> | undefined {
    if (!idem) return undefined;
    const row = this.sql.exec("SELECT fingerprint, result, created_at FROM idempotency WHERE key = ?", idem.key).toArray()[0];
    if (!row) return undefined;
    if (row.fingerprint !== idem.fingerprint)
      return { ok: false, code: "idempotency_key_reused", detail: "This Idempotency-Key was used with a different request." };
    if (row.result === null) {
      if (Date.now() - Date.parse(row.created_at as string) > abandonAfterMs) return undefined;
      return { ok: false, code: "idempotency_request_in_progress", detail: "A request with this Idempotency-Key is still running." };
    }
    return { ...(JSON.parse(row.result as string) as LedgerOutcome<T>), replayed: true };
  }

  /** `result` null marks the request as running (since now). Nothing is stored once the owner's data was erased. */
  remember(idem: IdempotencyKey | undefined, result: unknown | null) {
    if (!idem || isErased(this.kv)) return;
    this.sql.exec(
      `INSERT INTO idempotency (key, fingerprint, result, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET result = excluded.result,
         created_at = CASE WHEN excluded.result IS NULL THEN excluded.created_at ELSE idempotency.created_at END`,
      idem.key,
      idem.fingerprint,
      result === null ? null : JSON.stringify(result),
      new Date().toISOString(),
    );
  }
}
