import { endableWait, eventInsert, log, observeProjectionLag, setProjectionBacklog, type EventRecord, type Statement } from "#core";

export interface ProjectionPort {
  /** Sends one batch to D1 (one implicit transaction there), then its events to the events queue. */
  send(stmts: Statement[], events: EventRecord[]): Promise<void>;
  /** The account's live balance as a statement, appended to every batch (so it is never older than the batch's rows). */
  balance(): Statement | undefined;
  /** Makes sure the recovery alarm is set; called in the same synchronous stretch as the rows it covers. */
  arm(): Promise<void>;
}

/** Rows per D1 batch: everything enqueued while the previous batch was in flight goes in the next (group commit). */
const BATCH = 100;
/** After a failed batch, writes stop retrying on their own and leave it to the alarm. */
const RETRY_MS = 5_000;
/**
 * Sends started by answers are this far apart at least, so that under load an account's writes
 * meanwhile go in one send: each send is a call to the projector, which costs the runtime more than
 * its rows. A write after a quiet spell goes at once; a full batch, the alarm and a deletion (flush)
 * never wait.
 */
const PACE_MS = 400;

/**
 * The outbox that projects this account into D1, after the answer. Each entry and payment change
 * writes its statement here in the same transaction as the change itself, so nothing is projected
 * that did not happen and nothing that happened is left out. One drain per object, paced (PACE_MS),
 * sends the rows in order (per-account order), many per batch, as upserts (sending one twice is
 * harmless); the alarm is armed before any row waits, so a reset or a D1 outage only delays them.
 *
 * An outbox row may carry an event (a fact about the user's money, ledger/events.ts): the batch stores
 * it in D1 with the rows, and once that batch has committed it is published on the events queue; the
 * rows leave the outbox only after both, so an event is published at least once and never for a fact
 * that did not happen (its id is the fact's, so a resend is stored once and deduped by receivers).
 */
export class Projection {
  private running: Promise<void> | undefined;
  private retryAfter = 0;
  /** When the last batch left for the projector (pacing counts from it). */
  private lastSent = 0;
  /** Ends the pacing wait of the drain in flight, if it is still waiting. */
  private wake: (() => void) | undefined;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly sql: SqlStorage,
    private readonly port: ProjectionPort,
  ) {}

  enqueue(sql: string, params: unknown[], event?: EventRecord) {
    this.sql.exec(
      "INSERT INTO outbox (stmt, event, enqueued_at) VALUES (?, ?, ?)",
      JSON.stringify({ sql, params }),
      event ? JSON.stringify(event) : null,
      Date.now(),
    );
  }

  /** An event with no row of its own to project (the payee's payment.completed): `stmt` stays empty. */
  enqueueEvent(event: EventRecord) {
    this.sql.exec("INSERT INTO outbox (stmt, event, enqueued_at) VALUES ('', ?, ?)", JSON.stringify(event), Date.now());
  }

  size(): number {
    return this.sql.exec("SELECT count(*) AS n FROM outbox").one().n as number;
  }

  /** Starts sending what waits, without waiting for it: the caller answers first. */
  schedule(): void {
    const waiting = this.size();
    if (!waiting) return;
    setProjectionBacklog(this.ctx.id.toString(), waiting);
    this.port.arm().catch(() => undefined);
    if (waiting >= BATCH) this.wake?.();
    if (this.running || Date.now() < this.retryAfter) return;
    this.start(PACE_MS);
  }

  /** Sends everything queued so far (or fails trying); for deletion and the alarm. */
  async flush(): Promise<void> {
    this.retryAfter = 0;
    this.wake?.();
    while (this.running) await this.running;
    if (this.size()) {
      this.port.arm().catch(() => undefined);
      await this.start();
    }
  }

  /** The drain in flight, if any (tests wait on it). */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private start(pace = 0): Promise<void> {
    const run = this.drain(pace).finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    // Un-awaited work of an object: waitUntil keeps the object alive until it settles.
    this.ctx.waitUntil(run);
    return run;
  }

  private async drain(pace: number) {
    const wait = this.lastSent + pace - Date.now();
    if (wait > 0 && this.size() < BATCH) {
      const pacing = endableWait(wait);
      this.wake = pacing.end;
      await pacing.done;
    }
    this.wake = undefined;
    try {
      for (;;) {
        const rows = this.sql.exec("SELECT seq, stmt, event, enqueued_at FROM outbox ORDER BY seq LIMIT ?", BATCH).toArray();
        if (!rows.length) break;
        const stmts: Statement[] = [];
        const events: EventRecord[] = [];
        for (const r of rows) {
          if (r.stmt) stmts.push(JSON.parse(r.stmt as string) as Statement);
          if (r.event) {
            const e = JSON.parse(r.event as string) as EventRecord;
            stmts.push(eventInsert(e));
            events.push(e);
          }
        }
        const balance = this.port.balance();
        if (balance) stmts.push(balance);
        // Only once D1 holds the events (and the rows they describe) may receivers hear of them: send does both, in that order.
        this.lastSent = Date.now();
        await this.port.send(stmts, events);
        this.sql.exec("DELETE FROM outbox WHERE seq <= ?", rows[rows.length - 1].seq);
        const landed = Date.now();
        for (const r of rows) if (typeof r.enqueued_at === "number") observeProjectionLag((landed - r.enqueued_at) / 1000);
      }
      this.retryAfter = 0;
    } catch (e) {
      log("warn", { worker: "transactions", event: "outbox_flush_failed", error: String(e) });
      this.retryAfter = Date.now() + RETRY_MS;
      await this.port.arm().catch(() => undefined);
    } finally {
      setProjectionBacklog(this.ctx.id.toString(), this.size());
    }
  }
}
