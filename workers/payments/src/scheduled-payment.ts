import { DurableObject } from "cloudflare:workers";
import {
  type EventRecord,
  type EventsQueue,
  publishEvents,
  runStatements,
  eventInsert,
  eventRecord,
  type LedgerOutcome,
  type LedgerRpc,
  ledgerStub,
  log,
  type Movement,
  type PaymentRequest,
  type PaymentView,
} from "#core";
import { exportObject, importObject, type ObjectDump } from "#core/object-backup";
import { movementOf } from "./movement";
import {
  afterRun,
  cancelProgress,
  type Interval,
  initialProgress,
  isDue,
  occurrenceFingerprint,
  occurrenceKey,
  occurrencePaymentId,
  type RunStatus,
  type RunVerdict,
  runVerdict,
  type ScheduleProgress,
  type ScheduleStatus,
  type ScheduleTerms,
} from "./schedule-policy";

/** A schedule as the API answers it. */
export interface ScheduleView extends ScheduleTerms, ScheduleProgress, Movement {
  id: string;
  created_at: string;
}

export interface RunView {
  occurrence_at: string;
  status: RunStatus;
  payment_id: string | null;
  failure_code: string | null;
}

/** What the route hands the object for a new schedule (already validated, instants normalised). */
export interface NewSchedule extends ScheduleTerms, Omit<PaymentRequest, "idem"> {}

export type CancelOutcome = { ok: true; schedule: ScheduleView } | { ok: false; code: "not_found" | "conflict" };
export type ErasureOutcome = { ok: true } | { ok: false; code: "not_found" };

/** The object's RPC surface for the routes. */
export interface ScheduleRpc {
  create(input: NewSchedule, fingerprint: string | null): Promise<{ schedule: ScheduleView; replayed: boolean } | { conflict: true }>;
  get(caller: string): Promise<(ScheduleView & { runs: RunView[] }) | null>;
  cancel(caller: string): Promise<CancelOutcome>;
  /** The owner is being deleted (users worker): cancelled and the description erased, here and in D1. Idempotent. */
  eraseForDeletion(owner: string): Promise<ErasureOutcome>;
  /** On the object named after a caller's Idempotency-Key: the schedule id that key stands for. */
  claimId(fingerprint: string, candidate: string): Promise<string>;
}

export interface ScheduleEnv {
  DB: D1Database;
  LEDGER: DurableObjectNamespace;
  EVENTS?: EventsQueue;
}

/** The runs GET shows, newest first. */
export const RUNS_SHOWN = 100;
/** Occurrences one alarm runs before handing over to the next (a long outage's backlog runs in slices). */
const RUNS_PER_ALARM = 50;
/** After a failure (D1, the queue, a payment in flight), the alarm tries again this much later. */
const RETRY_MS = 5_000;
/** Storage key set once the owner's words are erased: no event is emitted from then on. */
const ERASED_AT = "erased_at";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS schedule (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL, source_account_id TEXT NOT NULL, destination_account_id TEXT NOT NULL,
     amount INTEGER NOT NULL, currency TEXT NOT NULL, description TEXT, start_at TEXT NOT NULL, interval_unit TEXT,
     interval_count INTEGER, end_at TEXT, max_occurrences INTEGER, status TEXT NOT NULL, next_run_at TEXT,
     occurrences_executed INTEGER NOT NULL, fingerprint TEXT, first_answer TEXT NOT NULL, created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL)`,
  // status 'running' from the claim until the payment's outcome is recorded.
  `CREATE TABLE IF NOT EXISTS runs (
     occurrence_at TEXT PRIMARY KEY, status TEXT NOT NULL, payment_id TEXT, failure_code TEXT,
     claimed_at TEXT NOT NULL, finished_at TEXT)`,
  // kind 'row': project the schedule's current row; 'event': insert and publish the event in body.
  "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, body TEXT)",
];

type Row = Record<string, SqlStorageValue>;

/**
 * One scheduled payment (objects are named by schedule id). Its alarm runs each due occurrence once,
 * in order, as a payment through the source's ledger object with an id and Idempotency-Key derived
 * from the schedule and the occurrence time, so a run repeated after a crash replays the same payment.
 * Each occurrence is claimed (run row 'running') in one synchronous stretch and recorded in another,
 * with its event and the schedule's new state in the outbox; cancel is a third stretch, so a cancel
 * either precedes a claim (nothing runs) or finds the claimed run, which it waits for before it
 * answers. The outbox projects the row to D1 and publishes events after the answer; the alarm retries
 * it. The rules themselves are in schedule-policy.ts.
 */
export class ScheduledPayment extends DurableObject<ScheduleEnv> implements ScheduleRpc {
  protected readonly sql: SqlStorage;
  /** Occurrences being paid by this instance: the alarm and a cancel share one payment call. */
  private readonly executing = new Map<string, Promise<boolean>>();
  private draining: Promise<void> | undefined;
  /** The due occurrence is recorded already (a state the writes never produce): retry slowly, never spin. */
  private stuck = false;

  constructor(ctx: DurableObjectState, env: ScheduleEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
  }

  // ── seams (tests/worker.ts moves the clock and injects faults through these) ──
  /** The time occurrences are due against. */
  protected now(): number {
    return Date.now();
  }

  /** Pays one occurrence through the source account's ledger object. */
  protected payOccurrence(request: PaymentRequest): Promise<LedgerOutcome<{ payment: PaymentView }>> {
    return ledgerStub<LedgerRpc>(this.env.LEDGER, request.source_account_id).pay(request);
  }

  /** Publishes events on the events queue (absent binding: D1 only). */
  protected async publishEvents(events: EventRecord[]): Promise<void> {
    if (this.env.EVENTS) await publishEvents(this.env.EVENTS, events);
  }

  // ── state ──────────────────────────────────────────────────────────────
  /** Created? A stranger's guess of an id reads as absent and writes nothing. */
  private exists(): boolean {
    return this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schedule'").toArray().length > 0;
  }

  private row(): Row | undefined {
    return this.exists() ? this.sql.exec("SELECT * FROM schedule").toArray()[0] : undefined;
  }

  private writeProgress(p: ScheduleProgress) {
    this.sql.exec(
      "UPDATE schedule SET status = ?, next_run_at = ?, occurrences_executed = ?, updated_at = ?",
      p.status,
      p.next_run_at,
      p.occurrences_executed,
      new Date().toISOString(),
    );
    this.sql.exec("INSERT INTO outbox (kind, body) VALUES ('row', NULL)");
  }

  private runningRun(): string | undefined {
    return this.sql.exec("SELECT occurrence_at FROM runs WHERE status = 'running' ORDER BY occurrence_at LIMIT 1").toArray()[0]
      ?.occurrence_at as string | undefined;
  }

  // ── RPC ────────────────────────────────────────────────────────────────
  async create(input: NewSchedule, fingerprint: string | null) {
    const existing = this.row();
    if (existing) {
      // The same caller's key with the same request: the first answer again.
      if (fingerprint !== null && existing.fingerprint === fingerprint)
        return { schedule: JSON.parse(existing.first_answer as string) as ScheduleView, replayed: true };
      return { conflict: true as const };
    }
    for (const stmt of SCHEMA) this.sql.exec(stmt);
    const now = new Date().toISOString();
    const view: ScheduleView = {
      id: input.id,
      ...initialProgress(input),
      source_account_id: input.source_account_id,
      destination_account_id: input.destination_account_id,
      amount: input.amount,
      currency: input.currency,
      description: input.description,
      start_at: input.start_at,
      interval: input.interval,
      end_at: input.end_at,
      max_occurrences: input.max_occurrences,
      created_at: now,
    };
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT INTO schedule (id, user_id, source_account_id, destination_account_id, amount, currency, description, start_at,
           interval_unit, interval_count, end_at, max_occurrences, status, next_run_at, occurrences_executed, fingerprint,
           first_answer, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
        view.id,
        input.user_id,
        view.source_account_id,
        view.destination_account_id,
        view.amount,
        view.currency,
        view.description,
        view.start_at,
        view.interval?.unit ?? null,
        view.interval?.count ?? null,
        view.end_at,
        view.max_occurrences,
        view.status,
        view.next_run_at,
        0,
        fingerprint,
        JSON.stringify(view),
        now,
        now,
      );
      this.sql.exec("INSERT INTO outbox (kind, body) VALUES ('row', NULL)");
    });
    await this.rearm();
    this.drainSoon();
    return { schedule: view, replayed: false };
  }

  async get(caller: string) {
    const r = this.row();
    if (!r || r.user_id !== caller) return null;
    const runs = this.sql
      .exec(
        "SELECT occurrence_at, status, payment_id, failure_code FROM runs WHERE status != 'running' ORDER BY occurrence_at DESC LIMIT ?",
        RUNS_SHOWN,
      )
      .toArray()
      .map(
        (x): RunView => ({
          occurrence_at: x.occurrence_at as string,
          status: x.status as RunStatus,
          payment_id: (x.payment_id as string | null) ?? null,
          failure_code: (x.failure_code as string | null) ?? null,
        }),
      );
    return { ...scheduleView(r), runs };
  }

  async cancel(caller: string): Promise<CancelOutcome> {
    const r = this.row();
    if (!r || r.user_id !== caller) return { ok: false, code: "not_found" };
    const view = scheduleView(r);
    const verdict = cancelProgress(view);
    if (!verdict.ok) return verdict;
    // Synchronous from the read above: no occurrence can be claimed after this.
    if (view.status === "active") this.writeProgress(verdict.progress);
    // An occurrence claimed before the cancel is finished before the cancel answers (the same payment
    // call if the alarm is paying it), so nothing runs once the answer is out.
    // A payment the ledger is still settling answers "in progress": ask again a few times before
    // leaving it to the alarm, which asks again with the same key.
    await this.finishClaimed();
    await this.rearm();
    this.drainSoon();
    return { ok: true, schedule: scheduleView(this.row()!) };
  }

  /** After a cancel's synchronous stretch: the occurrence claimed before it, if any, is paid and recorded. */
  private async finishClaimed() {
    const claimed = this.runningRun();
    for (let attempt = 0; claimed && attempt < 3; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 100 * attempt));
      if (await this.execute(claimed)) break;
    }
  }

  /**
   * The owner is being deleted: cancelled like a cancel (a completed schedule stays completed), its
   * description erased from the object and, through the outbox, from D1, and no event emitted from here on.
   * Answers once the outbox is empty; throws while D1 or the queue refuses it, so the deletion answers 503
   * and its retry comes back here (every step is idempotent).
   */
  async eraseForDeletion(owner: string): Promise<ErasureOutcome> {
    const r = this.row();
    if (!r || r.user_id !== owner) return { ok: false, code: "not_found" };
    this.eraseNow();
    await this.finishClaimed();
    await this.rearm();
    await this.drain();
    if ((this.sql.exec("SELECT count(*) AS n FROM outbox").one().n as number) > 0)
      throw new Error("the scheduled payment's outbox could not be sent; retry the deletion");
    return { ok: true };
  }

  /** Synchronous, like cancel: no occurrence can be claimed after it, and the owner's words are gone. */
  private eraseNow() {
    this.ctx.storage.transactionSync(() => {
      const r = this.row()!;
      const view = scheduleView(r);
      if (view.status === "active") this.writeProgress({ ...view, status: "cancelled", next_run_at: null });
      // The stored first answer repeats the description; the fingerprint hashes the request that held it.
      const firstAnswer = JSON.stringify({ ...(JSON.parse(r.first_answer as string) as ScheduleView), description: null });
      this.sql.exec("UPDATE schedule SET description = NULL, fingerprint = NULL, first_answer = ?", firstAnswer);
      this.sql.exec("INSERT INTO outbox (kind, body) VALUES ('row', NULL)");
      this.ctx.storage.kv.put(ERASED_AT, new Date().toISOString());
    });
  }

  private erased(): boolean {
    return this.ctx.storage.kv.get(ERASED_AT) !== undefined;
  }

  /** D1's user row says deleted (its accounts were closed before). */
  private async ownerDeleted(userId: string): Promise<boolean> {
    const row = await this.env.DB.prepare("SELECT status FROM users WHERE id = ?").bind(userId).first<{ status: string }>();
    return row?.status === "deleted";
  }

  async claimId(fingerprint: string, candidate: string): Promise<string> {
    this.sql.exec("CREATE TABLE IF NOT EXISTS key_claim (fingerprint TEXT NOT NULL, schedule_id TEXT NOT NULL)");
    const held = this.sql.exec("SELECT fingerprint, schedule_id FROM key_claim").toArray()[0];
    if (held && held.fingerprint === fingerprint) return held.schedule_id as string;
    // New, or a key the caller's claim has expired for and reuses with another request.
    this.sql.exec("DELETE FROM key_claim");
    this.sql.exec("INSERT INTO key_claim (fingerprint, schedule_id) VALUES (?, ?)", fingerprint, candidate);
    return candidate;
  }

  // ── backup (npm run backup / restore, through the users worker's admin routes) ──
  async backupExport(): Promise<ObjectDump> {
    return exportObject(this.ctx.storage);
  }

  /** Into an empty object (or wiped first with `replace`); the dump's alarm comes back with it. */
  async backupImport(dump: ObjectDump, replace = false): Promise<{ ok: true }> {
    await importObject(this.ctx.storage, dump, { replace });
    this.stuck = false;
    return { ok: true };
  }

  // ── runs ───────────────────────────────────────────────────────────────
  /**
   * Synchronous: the occurrence to pay now, claimed. A claim left by a crash comes first (its payment
   * may have happened: the same key replays it); then the next due occurrence of an active schedule.
   */
  private claimNext(): string | undefined {
    const left = this.runningRun();
    if (left) return left;
    const r = this.row();
    if (!r) return undefined;
    const view = scheduleView(r);
    if (!isDue(view, this.now())) return undefined;
    const at = view.next_run_at!;
    if (this.sql.exec("SELECT 1 FROM runs WHERE occurrence_at = ?", at).toArray().length) {
      // Recorded already (cannot happen while progress and runs are written together): move on.
      log("error", { worker: "payments", event: "schedule_run_repeated", schedule_id: view.id, occurrence_at: at });
      this.stuck = true; // so the alarm comes back every RETRY_MS, not at once forever
      return undefined;
    }
    this.sql.exec("INSERT INTO runs (occurrence_at, status, claimed_at) VALUES (?, 'running', ?)", at, new Date().toISOString());
    return at;
  }

  /** Pays a claimed occurrence and records the outcome; false when it must be tried again later. */
  private execute(occurrenceAt: string): Promise<boolean> {
    let run = this.executing.get(occurrenceAt);
    if (!run) {
      run = this.payAndRecord(occurrenceAt).finally(() => this.executing.delete(occurrenceAt));
      this.executing.set(occurrenceAt, run);
    }
    return run;
  }

  private async payAndRecord(occurrenceAt: string): Promise<boolean> {
    const r = this.row()!;
    const payment = {
      source_account_id: r.source_account_id as string,
      destination_account_id: r.destination_account_id as string,
      amount: r.amount as number,
      currency: r.currency as string,
      description: (r.description as string | null) ?? null,
    };
    const id = r.id as string;
    let verdict: RunVerdict;
    try {
      verdict = runVerdict(
        await this.payOccurrence({
          id: occurrencePaymentId(id, occurrenceAt),
          user_id: r.user_id as string,
          ...payment,
          idem: { key: occurrenceKey(id, occurrenceAt), fingerprint: occurrenceFingerprint({ ...payment, occurrence_at: occurrenceAt }) },
        }),
      );
    } catch (e) {
      verdict = { status: "retry", reason: String(e) };
    }
    // A schedule created while its owner was being deleted may have missed the deletion's list (it lists
    // D1): its source is closed by then, so its run ends here, and it erases itself instead of going on.
    if (verdict.status === "failed" && verdict.failure_code === "account_closed" && !this.erased()) {
      try {
        if (await this.ownerDeleted(r.user_id as string)) this.eraseNow();
      } catch (e) {
        verdict = { status: "retry", reason: String(e) };
      }
    }
    if (verdict.status === "retry") {
      log("warn", { worker: "payments", event: "schedule_run_retry", schedule_id: id, occurrence_at: occurrenceAt, error: verdict.reason });
      return false;
    }
    this.record(occurrenceAt, verdict);
    return true;
  }

  /** Synchronous: the run's outcome, the schedule's progress and the run's event, all or nothing. */
  private record(occurrenceAt: string, verdict: Exclude<RunVerdict, { status: "retry" }>) {
    this.ctx.storage.transactionSync(() => {
      const run = this.sql.exec("SELECT status FROM runs WHERE occurrence_at = ?", occurrenceAt).toArray()[0];
      if (run?.status !== "running") return;
      const r = this.row()!;
      const view = scheduleView(r);
      const finished = new Date().toISOString();
      const payment_id = verdict.status === "completed" ? verdict.payment_id : null;
      const failure_code = verdict.status === "failed" ? verdict.failure_code : null;
      this.sql.exec(
        "UPDATE runs SET status = ?, payment_id = ?, failure_code = ?, finished_at = ? WHERE occurrence_at = ?",
        verdict.status,
        payment_id,
        failure_code,
        finished,
        occurrenceAt,
      );
      this.writeProgress(afterRun(view, view));
      // The owner is deleted: the run is kept (no text in it), its event is not.
      if (this.erased()) return;
      const object = { schedule_id: view.id, occurrence_at: occurrenceAt, status: verdict.status, payment_id, failure_code };
      const type = verdict.status === "completed" ? "scheduled_payment.executed" : "scheduled_payment.failed";
      const event = eventRecord(type, r.user_id as string, occurrenceKey(view.id, occurrenceAt), object, finished);
      this.sql.exec("INSERT INTO outbox (kind, body) VALUES ('event', ?)", JSON.stringify(event));
    });
    this.drainSoon();
  }

  /** Runs what is due, in order, then sets the next alarm. */
  override async alarm() {
    // Re-armed before the work: should this instance die mid-run, the alarm comes back for the claim.
    await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
    if (!this.exists()) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    for (let i = 0; i < RUNS_PER_ALARM; i++) {
      const at = this.claimNext();
      if (!at) break;
      if (!(await this.execute(at))) break;
    }
    await this.drain();
    await this.rearm();
  }

  /** The alarm this state needs: soon while anything waits (outbox, a claim, a due backlog), else the next occurrence, else none. */
  private async rearm() {
    const r = this.row();
    if (!r) return;
    const view = scheduleView(r);
    const waiting = (this.sql.exec("SELECT count(*) AS n FROM outbox").one().n as number) > 0 || this.runningRun() !== undefined;
    let at: number | null = null;
    if (waiting) at = Date.now() + RETRY_MS;
    if (view.status === "active" && view.next_run_at !== null) {
      // Due already (a backlog larger than one alarm's share): at once.
      const next = !isDue(view, this.now()) ? Date.parse(view.next_run_at) : this.stuck ? Date.now() + RETRY_MS : Date.now();
      at = at === null ? next : Math.min(at, next);
    }
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(at);
  }

  // ── outbox → D1 and the events queue ───────────────────────────────────
  /** Starts the drain without waiting for it: the caller answers first. A drain in flight reads the outbox again before it ends. */
  private drainSoon() {
    if (!this.draining) this.ctx.waitUntil(this.drain());
  }

  /** Sends what the outbox holds: the row and events to D1, then the events to the queue; rows leave only once both took them. */
  private drain(): Promise<void> {
    this.draining ??= (async () => {
      try {
        // Drained: the alarm goes back to the next occurrence (or away); failed: it stays soon.
        if (await this.drainOnce()) await this.rearm();
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  private async drainOnce(): Promise<boolean> {
    try {
      for (;;) {
        const rows = this.sql.exec("SELECT seq, kind, body FROM outbox ORDER BY seq LIMIT 50").toArray();
        if (!rows.length) break;
        const events = rows.filter((x) => x.kind === "event").map((x) => JSON.parse(x.body as string) as EventRecord);
        const stmts = events.map(eventInsert);
        if (rows.some((x) => x.kind === "row")) stmts.push(this.rowUpsert());
        await runStatements(this.env.DB, stmts);
        if (events.length) await this.publishEvents(events);
        this.sql.exec("DELETE FROM outbox WHERE seq <= ?", rows[rows.length - 1].seq);
      }
      return true;
    } catch (e) {
      log("warn", { worker: "payments", event: "schedule_outbox_failed", error: String(e) });
      // The alarm (re-armed for soon, since rows wait) tries again.
      await this.rearm().catch(() => undefined);
      return false;
    }
  }

  /** The schedule's current row for D1's list, as an idempotent upsert. */
  private rowUpsert(): { sql: string; params: unknown[] } {
    const r = this.row()!;
    return {
      sql: `INSERT INTO scheduled_payments (id, user_id, source_account_id, destination_account_id, amount, currency, description,
              start_at, interval_unit, interval_count, end_at, max_occurrences, status, next_run_at, occurrences_executed,
              created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT (id) DO UPDATE SET description = excluded.description, status = excluded.status,
              next_run_at = excluded.next_run_at, occurrences_executed = excluded.occurrences_executed, updated_at = excluded.updated_at`,
      params: [
        r.id,
        r.user_id,
        r.source_account_id,
        r.destination_account_id,
        r.amount,
        r.currency,
        r.description,
        r.start_at,
        r.interval_unit,
        r.interval_count,
        r.end_at,
        r.max_occurrences,
        r.status,
        r.next_run_at,
        r.occurrences_executed,
        r.created_at,
        r.updated_at,
      ],
    };
  }
}

/** A stored schedule row (the object's own or its D1 projection: the same columns) as the API shows it. */
export function scheduleView(r: Record<string, unknown>): ScheduleView {
  const interval: Interval | null = r.interval_unit
    ? { unit: r.interval_unit as Interval["unit"], count: r.interval_count as number }
    : null;
  return {
    id: r.id as string,
    status: r.status as ScheduleStatus,
    ...movementOf(r),
    start_at: r.start_at as string,
    interval,
    end_at: (r.end_at as string | null) ?? null,
    max_occurrences: (r.max_occurrences as number | null) ?? null,
    next_run_at: (r.next_run_at as string | null) ?? null,
    occurrences_executed: r.occurrences_executed as number,
    created_at: r.created_at as string,
  };
}
