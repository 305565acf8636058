// The whole platform inside one test worker (workers-sdk#14945): the gateway is the default export and
// every domain worker is a named entrypoint that the gateway's service bindings point at (wrangler.toml
// beside this file). Production deploys the same classes as separate workers.
export { default } from "../workers/gateway/src/index";
export { AuthService } from "../workers/auth/src/index";
export { UsersService } from "../workers/users/src/index";
export { FinanceService } from "../workers/finance/src/index";
export { TransactionsService } from "../workers/transactions/src/index";
export { PaymentsService } from "../workers/payments/src/index";
export { TaxService } from "../workers/tax/src/index";
export { AiService } from "../workers/ai/src/index";
export { WebhooksService } from "../workers/webhooks/src/index";
export { LoginThrottle } from "../workers/auth/src/index";
export { UserState } from "../workers/users/src/index";
export { Projector } from "../workers/transactions/src/index";

import type { CreditRequest, EventRecord, LedgerRpc, RecordRequest, Statement } from "#core";
import { AccountLedger as ProductionLedger } from "../workers/transactions/src/ledger/account-ledger";

/** Steps of the ledger the fault tests make misbehave, a given number of times. */
export type LedgerFault =
  | "credit" // a credit to this account throws, as an unreachable object would
  | "flush_reset" // the object is reset after an entry is written and before its outbox rows reach D1
  | "legacy_reserve" // a reservation skips the balance-bound check, as reservations made before it existed did
  | "d1_down" // a projection batch fails, as with D1 unreachable
  | "hold_projection" // a projection batch waits until releaseProjection()
  | "queue_down"; // publishing events fails, as with the events queue unreachable

/** The test-only methods of the ledger class below, for stubs in the tests. */
export type TestLedger = LedgerRpc & {
  injectCreditFailures(n: number): Promise<void>;
  injectFault(name: LedgerFault, n: number): Promise<void>;
  releaseProjection(): Promise<void>;
  /** How many projection batches this instance has sent to the projector. */
  projectionSends(): Promise<number>;
  /** The events this object has published on the events queue, in order (repeats included): id, type and user only. */
  publishedEvents(): Promise<Pick<EventRecord, "id" | "type" | "user_id">[]>;
};

/**
 * The ledger with fault injection, bound as AccountLedger in tests/wrangler.toml only: production code
 * carries none. Counts are stored in the object's own SQLite, so they survive a reset.
 */
export class AccountLedger extends ProductionLedger {
  private release: (() => void) | undefined;
  private held: Promise<void> | undefined;
  private sends = 0;

  async injectCreditFailures(n: number) {
    await this.injectFault("credit", n);
  }

  async injectFault(name: LedgerFault, n: number) {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS _fault_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL)");
    sql.exec("INSERT INTO _fault_counts (name, n) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET n = excluded.n", name, n);
  }

  /** Lets the held batch go, or, if none is held yet (the drain is still pacing), the next one pass. */
  async releaseProjection() {
    if (this.release) this.release();
    else this.held = Promise.resolve();
  }

  async projectionSends() {
    return this.sends;
  }

  async publishedEvents(): Promise<Pick<EventRecord, "id" | "type" | "user_id">[]> {
    const sql = this.ctx.storage.sql;
    if (!sql.exec("SELECT name FROM sqlite_master WHERE name = '_published'").toArray().length) return [];
    return sql
      .exec("SELECT event FROM _published ORDER BY seq")
      .toArray()
      .map((r) => JSON.parse(r.event as string));
  }

  private pendingFault(name: LedgerFault): boolean {
    const sql = this.ctx.storage.sql;
    if (!sql.exec("SELECT name FROM sqlite_master WHERE name = '_fault_counts'").toArray().length) return false;
    return ((sql.exec("SELECT n FROM _fault_counts WHERE name = ?", name).toArray()[0]?.n as number | undefined) ?? 0) > 0;
  }

  private takeFault(name: LedgerFault): boolean {
    if (!this.pendingFault(name)) return false;
    this.ctx.storage.sql.exec("UPDATE _fault_counts SET n = n - 1 WHERE name = ?", name);
    return true;
  }

  override async credit(input: CreditRequest) {
    if (this.takeFault("credit")) throw new Error("injected credit failure");
    return super.credit(input);
  }

  override async record(input: RecordRequest, caller?: string) {
    // The reset must land before the answer, as an eviction mid-request would: wait for the projection.
    const reset = this.pendingFault("flush_reset");
    const result = await super.record(input, caller);
    if (reset) await this.projectionIdle();
    return result;
  }

  protected override reserveChecksBound() {
    return !this.takeFault("legacy_reserve");
  }

  protected override async sendProjection(stmts: Statement[], events: EventRecord[] = []) {
    this.sends++;
    if (this.takeFault("flush_reset")) {
      await this.ctx.storage.sync(); // the entry is durable; the reset comes while D1 is being called
      this.ctx.abort("injected reset mid-flush");
    }
    if (this.takeFault("d1_down")) throw new Error("injected: D1 unreachable");
    if (this.takeFault("hold_projection")) {
      this.held ??= new Promise<void>((resolve) => (this.release = resolve));
      await this.held;
    }
    if (events.length && this.takeFault("queue_down")) {
      await super.sendProjection(stmts); // D1 takes the rows; the queue then refuses the events
      throw new Error("injected: events queue unreachable");
    }
    await super.sendProjection(stmts, events);
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS _published (seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL)");
    // Ids and types only: the erasure tests find no user text in the object's storage.
    for (const { id, type, user_id } of events)
      sql.exec("INSERT INTO _published (event) VALUES (?)", JSON.stringify({ id, type, user_id }));
  }
}

export { ScheduledPayment };
import type { EventRecord as ScheduleEvent, LedgerOutcome, PaymentRequest, PaymentView } from "#core";
import type { ScheduleRpc } from "../workers/payments/src/scheduled-payment";
import { ScheduledPayment as ProductionSchedule } from "../workers/payments/src/scheduled-payment";

/**
 * Steps of a schedule the tests make misbehave: a reset after the payment and before its run is
 * recorded; a payment held until releasePay(); the events queue refusing a batch.
 */
export type ScheduleFault = "reset_after_pay" | "hold_pay" | "queue_down";

/** The test-only methods of the schedule class below, for stubs in the tests. */
export type TestSchedule = ScheduleRpc & {
  /** The object's clock reads `at` now (and runs on from there), so months pass between two alarms. */
  setClock(at: string): Promise<void>;
  injectFault(name: ScheduleFault, n: number): Promise<void>;
  releasePay(): Promise<void>;
  /** Payments this instance has started, held or not. */
  paysStarted(): Promise<number>;
  /** Ids of the events this object has published, in order (repeats included). */
  publishedEvents(): Promise<string[]>;
  /** Rows waiting in the object's outbox. */
  outboxSize(): Promise<number>;
};

/** The schedule object with a movable clock and fault injection, bound in tests/wrangler.toml only; state in its own SQLite, so it survives a reset. */
class ScheduledPayment extends ProductionSchedule {
  private release: (() => void) | undefined;
  private held: Promise<void> | undefined;
  private started = 0;

  private testState(name: string): number {
    this.sql.exec("CREATE TABLE IF NOT EXISTS _test_state (name TEXT PRIMARY KEY, n INTEGER NOT NULL)");
    return (this.sql.exec("SELECT n FROM _test_state WHERE name = ?", name).toArray()[0]?.n as number | undefined) ?? 0;
  }

  private setTestState(name: string, n: number) {
    this.testState(name);
    this.sql.exec("INSERT INTO _test_state (name, n) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET n = excluded.n", name, n);
  }

  async setClock(at: string) {
    this.setTestState("skew", Date.parse(at) - Date.now());
  }

  async injectFault(name: ScheduleFault, n: number) {
    this.setTestState(name, n);
  }

  async releasePay() {
    this.release?.();
  }

  async paysStarted() {
    return this.started;
  }

  async publishedEvents() {
    this.sql.exec("CREATE TABLE IF NOT EXISTS _published (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL)");
    return this.sql
      .exec("SELECT id FROM _published ORDER BY seq")
      .toArray()
      .map((r) => r.id as string);
  }

  async outboxSize() {
    return this.sql.exec("SELECT count(*) AS n FROM outbox").one().n as number;
  }

  protected override async publishEvents(events: ScheduleEvent[]) {
    if (this.takeFault("queue_down")) throw new Error("injected: events queue unreachable");
    await super.publishEvents(events);
    await this.publishedEvents();
    for (const e of events) this.sql.exec("INSERT INTO _published (id) VALUES (?)", e.id);
  }

  private takeFault(name: ScheduleFault): boolean {
    const n = this.testState(name);
    if (n > 0) this.setTestState(name, n - 1);
    return n > 0;
  }

  protected override now() {
    return Date.now() + this.testState("skew");
  }

  protected override async payOccurrence(request: PaymentRequest): Promise<LedgerOutcome<{ payment: PaymentView }>> {
    this.started++;
    if (this.takeFault("hold_pay")) {
      this.held ??= new Promise<void>((resolve) => (this.release = resolve));
      await this.held;
    }
    const outcome = await super.payOccurrence(request);
    if (this.takeFault("reset_after_pay")) {
      // The payment is made; the object is reset before the run is recorded, as an eviction would.
      await this.ctx.storage.sync();
      this.ctx.abort("injected reset between the payment and its run record");
    }
    return outcome;
  }
}
