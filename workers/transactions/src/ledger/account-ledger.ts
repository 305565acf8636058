import { DurableObject } from "cloudflare:workers";
import type { LedgerAccount, LedgerBalance, LedgerEntry, LedgerFailure, LedgerOutcome, LedgerRpc, PaymentRequest, PaymentView, SentPaymentText } from "../../../core/src";
import { ENTRY_TEXT_LIMITS, log, newId } from "../../../core/src";
import { GENESIS_HASH, entryHash, verifyChain } from "./chain";
import { available, canApply, canPostHold, fitsBalanceBound, occurredDate, tooLongField } from "./rules";
import { migrate } from "./storage";
import { ERASE_ENTRY_SET, eraseCounterpartyRows, eraseOwnRows, isErased, markErased, sentPaymentTexts } from "./erasure";

export interface LedgerEnv {
  DB: D1Database;
  LEDGER: DurableObjectNamespace<AccountLedger>;
  /** "on" only in tests/wrangler.toml: enables injectCreditFailures() for the fault tests. */
  LEDGER_FAULTS?: string;
}

/** An Idempotency-Key, scoped to its caller, with the fingerprint of the request it came with. */
export interface Idem {
  key: string;
  fingerprint: string;
}

export interface EntryInput {
  amount: number;
  description: string;
  category: string;
  counterparty?: string | null;
  notes?: string | null;
  occurred_at: string;
  external_id?: string | null;
  import_id?: string | null;
}

interface PaymentState extends PaymentView {
  user_id: string;
  destination_user_id: string;
  failure?: LedgerFailure;
}

export type Outcome<T> = ({ ok: true } & T) | LedgerFailure;
type Replayable<T> = LedgerOutcome<T>;

export interface ImportRowResult {
  status: "imported" | "duplicate" | "failed";
  message?: string;
}

const fail = (code: LedgerFailure["code"], detail: string): LedgerFailure => ({ ok: false, code, detail });
const now = () => new Date().toISOString();
const RETRY_MS = 5_000;

/**
 * Refusals at the balance bound (±(2^53 − 1)), with or without an overdraft limit: money out past the
 * floor is insufficient_funds (the account cannot go that low, as with a limit); money in past the
 * ceiling is validation_failed (the amount cannot be represented there). Both are 422 and move nothing.
 */
const belowFloor = () => fail("insufficient_funds", "The balance would fall below the lowest supported amount.");
const aboveCeiling = () => fail("validation_failed", "The balance would exceed the largest supported amount.");
const tooLong = (field: keyof typeof ENTRY_TEXT_LIMITS) => fail("validation_failed", `${field} must be at most ${ENTRY_TEXT_LIMITS[field]} characters.`);

/** Thrown inside the settle transaction to roll it back when a credited hold cannot be posted. */
class PostRefused extends Error {}

/**
 * One object per account, the single writer of its ledger. Every method that moves money does its
 * checks and its insert in one synchronous stretch (no await in between: one implicit transaction,
 * no interleaving); D1 only ever sees the result through the outbox, flushed after the fact.
 */
export class AccountLedger extends DurableObject<LedgerEnv> implements LedgerRpc {
  private readonly sql: SqlStorage;
  private flushing: Promise<void> = Promise.resolve();
  private readonly driving = new Set<string>();
  /** The recovery alarm this instance has set and that has not fired yet. */
  private armed: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: LedgerEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(this.sql);
  }

  // ── reads ────────────────────────────────────────────────────────────────
  private meta() {
    return this.sql.exec("SELECT * FROM meta").toArray()[0] as
      | { account_id: string; user_id: string; currency: string; overdraft_limit: number | null; status: "open" | "closed"; created_at: string }
      | undefined;
  }

  private totals() {
    const last = this.sql.exec("SELECT version, balance_after, hash FROM entries ORDER BY version DESC LIMIT 1").toArray()[0];
    const pending = (this.sql.exec("SELECT coalesce(sum(amount), 0) AS p FROM holds").one().p as number) ?? 0;
    return {
      version: (last?.version as number) ?? 0,
      current: (last?.balance_after as number) ?? 0,
      head: (last?.hash as string) ?? GENESIS_HASH,
      pending,
    };
  }

  private balanceNow(): LedgerBalance & { status: "open" | "closed" } {
    const m = this.meta();
    const t = this.totals();
    return {
      current: t.current,
      pending: t.pending,
      available: available({ current: t.current, pending: t.pending, overdraft_limit: m?.overdraft_limit ?? null }),
      version: t.version,
      as_of: now(),
      status: m?.status ?? "open",
    };
  }

  private entryRow(where: string, ...args: (string | number)[]): LedgerEntry | undefined {
    const m = this.meta();
    const r = this.sql.exec(`SELECT * FROM entries WHERE ${where}`, ...args).toArray()[0];
    if (!r || !m) return undefined;
    return {
      id: r.id as string,
      account_id: m.account_id,
      user_id: m.user_id,
      version: r.version as number,
      amount: r.amount as number,
      currency: m.currency,
      description: r.description as string,
      category: r.category as string,
      counterparty: r.counterparty as string | null,
      notes: r.notes as string | null,
      occurred_at: r.occurred_at as string,
      external_id: r.external_id as string | null,
      payment_id: r.payment_id as string | null,
      reverses_id: r.reverses_id as string | null,
      import_id: r.import_id as string | null,
      balance_after: r.balance_after as number,
      hash: r.hash as string,
      created_at: r.created_at as string,
    };
  }

  async balance() {
    return this.balanceNow();
  }

  async verify() {
    const rows = this.sql.exec("SELECT * FROM entries ORDER BY version").toArray();
    const m = this.meta();
    const chained = rows.map((r) => ({ ...(r as any), account_id: m?.account_id ?? "", currency: m?.currency ?? "" }));
    const result = verifyChain(chained);
    return { entries: rows.length, head_hash: result.head_hash, valid: result.valid };
  }

  /** Everything the ledger check needs to recompute this account independently. */
  async snapshot() {
    return {
      meta: this.meta() ?? null,
      entries: this.sql.exec("SELECT * FROM entries ORDER BY version").toArray(),
      holds: this.sql.exec("SELECT * FROM holds").toArray(),
      payments: this.sql.exec("SELECT id, state FROM payments").toArray(),
      outbox: this.sql.exec("SELECT count(*) AS n FROM outbox").one().n as number,
    };
  }

  // ── account lifecycle ────────────────────────────────────────────────────
  async open(account: LedgerAccount) {
    if (!this.meta())
      this.sql.exec(
        "INSERT INTO meta (account_id, user_id, currency, overdraft_limit, status, created_at) VALUES (?, ?, ?, ?, 'open', ?)",
        account.id, account.user_id, account.currency, account.overdraft_limit, account.created_at,
      );
    return this.balanceNow();
  }

  async close(): Promise<{ ok: true } | LedgerFailure> {
    const m = this.meta();
    if (!m) return fail("not_found", "No such account.");
    const t = this.totals();
    if (t.current !== 0 || t.pending !== 0) return fail("conflict", "Only an account at zero balance with nothing pending can be closed.");
    this.sql.exec("UPDATE meta SET status = 'closed'");
    return { ok: true };
  }

  // ── deletion of the owner (erasure.ts holds the rules) ───────────────────
  /** Closes whatever the balance (it stays, frozen); payments in flight from here are finished first. Idempotent. */
  async closeForDeletion(): Promise<{ ok: true; sent: SentPaymentText[] } | LedgerFailure> {
    for (let round = 0; round < 3; round++) {
      if (!this.meta()) return fail("not_found", "No such account.");
      // A hold is a payment already accepted: it must post or void before the account stops taking entries.
      if (this.totals().pending === 0) {
        this.sql.exec("UPDATE meta SET status = 'closed'");
        return { ok: true, sent: sentPaymentTexts(this.sql) };
      }
      for (const r of this.sql.exec("SELECT id FROM payments WHERE state = 'reserved'").toArray()) await this.drive(r.id as string);
    }
    return fail("conflict", "A payment from this account is still in flight; retry shortly.");
  }

  /** Erases the owner's text from the object and, through the outbox, from D1. Throws while D1 is unreachable. */
  async erase(): Promise<{ ok: true } | LedgerFailure> {
    const m = this.meta();
    if (!m) return { ok: true };
    if (m.status !== "closed" || this.totals().pending !== 0) return fail("conflict", "Only an account closed for deletion can be erased.");
    // Rows still waiting for D1 carry the text: they must be sent before the erasing statements.
    await this.flush();
    this.ctx.storage.transactionSync(() => {
      if (this.outboxSize() > 0) throw new Error("the D1 projection is unreachable; retry the deletion");
      eraseOwnRows(this.sql);
      markErased(this.ctx.storage.kv);
      this.enqueue(`UPDATE entries SET ${ERASE_ENTRY_SET} WHERE account_id = ?`, [m.account_id]);
      this.enqueue("UPDATE payments SET description = NULL WHERE source_account_id = ?", [m.account_id]);
    });
    await this.flush();
    if (this.outboxSize() > 0) throw new Error("the D1 projection is unreachable; retry the deletion");
    return { ok: true };
  }

  /** The payee's legs of payments from a deleted payer lose the payer's words (unless the payee rewrote them). */
  async eraseCounterparty(payments: SentPaymentText[]): Promise<{ ok: true }> {
    if (!this.meta() || payments.length === 0) return { ok: true };
    const changed = this.ctx.storage.transactionSync(() => {
      const rows = eraseCounterpartyRows(this.sql, payments);
      // Queued after any older row of these entries, so D1 ends with the erased text whatever the order of retries.
      for (const e of rows) this.enqueue("UPDATE entries SET description = ? WHERE id = ?", [e.description, e.id]);
      return rows;
    });
    await this.flush();
    for (const e of changed)
      if (this.sql.exec("SELECT count(*) AS n FROM outbox WHERE instr(stmt, ?) > 0", e.id).one().n)
        throw new Error("the D1 projection is unreachable; retry the deletion");
    return { ok: true };
  }

  private outboxSize() {
    return this.sql.exec("SELECT count(*) AS n FROM outbox").one().n as number;
  }

  // ── idempotency (keys scoped to the caller, stored beside the money they protect) ──
  private replay<T>(idem: Idem | undefined): Replayable<T> | undefined {
    if (!idem) return undefined;
    const row = this.sql.exec("SELECT fingerprint, result FROM idempotency WHERE key = ?", idem.key).toArray()[0];
    if (!row) return undefined;
    if (row.fingerprint !== idem.fingerprint)
      return fail("idempotency_key_reused", "This Idempotency-Key was used with a different request.");
    if (row.result === null) return fail("idempotency_request_in_progress", "A request with this Idempotency-Key is still running.");
    return { ...(JSON.parse(row.result as string) as Outcome<T>), replayed: true };
  }

  private remember(idem: Idem | undefined, result: unknown | null) {
    if (!idem || isErased(this.ctx.storage.kv)) return;
    this.sql.exec(
      "INSERT INTO idempotency (key, fingerprint, result, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET result = excluded.result",
      idem.key, idem.fingerprint, result === null ? null : JSON.stringify(result), now(),
    );
  }

  // ── entries ──────────────────────────────────────────────────────────────
  /**
   * The single place an entry is written: text, limit and bound checks, version, balance, hash, outbox.
   * Synchronous. `posting` is a reserved hold becoming its debit: its limit and its room under the floor
   * were checked when it was reserved.
   */
  private append(input: EntryInput & { payment_id?: string | null; reverses_id?: string | null }, opts: { posting?: boolean } = {}): Outcome<{ entry: LedgerEntry }> {
    const m = this.meta();
    if (!m) return fail("not_found", "No such account.");
    if (m.status === "closed") return fail("account_closed", "The account is closed.");
    // Last line of defence: every route bounds these first; an oversized row must never reach SQLite.
    const long = tooLongField(input);
    if (long) return tooLong(long);
    const t = this.totals();
    if (opts.posting) {
      if (!canPostHold(t.current, -input.amount)) return belowFloor();
    } else {
      if (!canApply({ current: t.current, pending: t.pending, overdraft_limit: m.overdraft_limit }, input.amount))
        return fail("insufficient_funds", "The amount exceeds the available balance.");
      if (!fitsBalanceBound(t, input.amount)) return input.amount < 0 ? belowFloor() : aboveCeiling();
    }
    const e = {
      id: newId("txn"),
      account_id: m.account_id,
      version: t.version + 1,
      amount: input.amount,
      currency: m.currency,
      occurred_at: input.occurred_at,
      external_id: input.external_id ?? null,
      payment_id: input.payment_id ?? null,
      reverses_id: input.reverses_id ?? null,
      balance_after: t.current + input.amount,
      created_at: now(),
    };
    const hash = entryHash(t.head, e);
    // The entry and its outbox row commit together or not at all: no entry without its projection.
    const entry = this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT INTO entries (version, id, amount, description, category, counterparty, notes, occurred_at, occurred_date,
           external_id, payment_id, reverses_id, import_id, balance_after, hash, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
        e.version, e.id, e.amount, input.description, input.category, input.counterparty ?? null, input.notes ?? null,
        e.occurred_at, occurredDate(e.occurred_at), e.external_id, e.payment_id, e.reverses_id, input.import_id ?? null,
        e.balance_after, hash, e.created_at,
      );
      const written = this.entryRow("version = ?", e.version)!;
      this.project(written);
      return written;
    });
    return { ok: true, entry };
  }

  async record(input: EntryInput & { idem?: Idem }): Promise<Replayable<{ entry: LedgerEntry }>> {
    const seen = this.replay<{ entry: LedgerEntry }>(input.idem);
    if (seen) return seen;
    if (input.external_id && this.entryRow("external_id = ?", input.external_id))
      return fail("conflict", "A transaction with this external_id already exists.");
    const result = this.append(input);
    this.remember(input.idem, result);
    await this.flush();
    return result;
  }

  /** Imports go through the same rules as single entries, one synchronous call per batch of rows. */
  async importRows(rows: EntryInput[]): Promise<ImportRowResult[]> {
    const results = rows.map((row): ImportRowResult => {
      const dup = row.external_id
        ? this.entryRow("external_id = ?", row.external_id)
        : this.entryRow("occurred_date = ? AND amount = ? AND description = ?", occurredDate(row.occurred_at), row.amount, row.description);
      if (dup) return { status: "duplicate" };
      const r = this.append(row);
      return r.ok ? { status: "imported" } : { status: "failed", message: r.detail };
    });
    await this.flush();
    return results;
  }

  async get(entryId: string) {
    return this.entryRow("id = ?", entryId) ?? null;
  }

  async patch(entryId: string, fields: { category?: string; description?: string; notes?: string | null }) {
    const entry = this.entryRow("id = ?", entryId);
    if (!entry || isErased(this.ctx.storage.kv)) return null;
    const next = { ...entry, ...fields };
    // The route's schema bounds these; refusing here too keeps an oversized row out of SQLite.
    const long = tooLongField(next);
    if (long) throw new Error(tooLong(long).detail);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("UPDATE entries SET category = ?, description = ?, notes = ? WHERE id = ?", next.category, next.description, next.notes ?? null, entryId);
      this.project(next);
    });
    await this.flush();
    return next;
  }

  async reverse(entryId: string, idem?: Idem): Promise<Replayable<{ entry: LedgerEntry }>> {
    const seen = this.replay<{ entry: LedgerEntry }>(idem);
    if (seen) return seen;
    const original = this.entryRow("id = ?", entryId);
    let result: Outcome<{ entry: LedgerEntry }>;
    if (!original) result = fail("not_found", "No such transaction.");
    else if (original.payment_id) result = fail("conflict", "Payment entries cannot be reversed; make a payment back instead.");
    else if (original.reverses_id) result = fail("conflict", "A reversal cannot itself be reversed.");
    else if (this.entryRow("reverses_id = ?", entryId)) result = fail("conflict", "This transaction was already reversed.");
    else
      result = this.append({
        amount: -original.amount,
        description: `Reversal of ${original.description}`.slice(0, 500),
        category: original.category,
        counterparty: original.counterparty,
        occurred_at: now().slice(0, 10),
        reverses_id: original.id,
      });
    this.remember(idem, result);
    await this.flush();
    return result;
  }

  // ── payments: reserve here, credit the destination, then post or void ─────
  async pay(input: PaymentRequest): Promise<Replayable<{ payment: PaymentView }>> {
    const seen = this.replay<{ payment: PaymentView }>(input.idem);
    if (seen) return seen;
    const m = this.meta();
    let refusal: LedgerFailure | undefined;
    if (!m) refusal = fail("not_found", "No such account.");
    else if (m.status === "closed") refusal = fail("account_closed", "The source account is closed.");
    else if (m.currency !== input.currency) refusal = fail("currency_mismatch", `The source account is in ${m.currency}.`);
    else if (tooLongField({ description: input.description })) refusal = tooLong("description");
    else {
      const t = this.totals();
      if (!canApply({ current: t.current, pending: t.pending, overdraft_limit: m.overdraft_limit }, -input.amount))
        refusal = fail("insufficient_funds", "The amount exceeds the available balance.");
      // Every bound is checked here, counting all pending holds, so that posting this hold after the
      // destination has been credited can never fail (the destination checks its own side in credit).
      else if (!this.takeFault("legacy_reserve") && !fitsBalanceBound(t, -input.amount)) refusal = belowFloor();
    }
    if (refusal) {
      this.remember(input.idem, refusal);
      return refusal;
    }
    const { idem, ...rest } = input;
    const state: PaymentState = { ...rest, status: "pending", created_at: now() };
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("INSERT INTO holds (payment_id, amount, created_at) VALUES (?, ?, ?)", state.id, state.amount, state.created_at);
      this.sql.exec(
        "INSERT INTO payments (id, state, body, idem, created_at, updated_at) VALUES (?, 'reserved', ?, ?, ?, ?)",
        state.id, JSON.stringify(state), JSON.stringify(idem), state.created_at, state.created_at,
      );
      this.remember(idem, null); // in flight: a concurrent retry gets 409
      this.projectPayment(state);
    });
    // If this object dies from here on, the alarm finishes or voids the payment.
    await this.arm();
    return this.drive(state.id);
  }

  /** Moves a reserved payment to its end: credited then posted, or voided. Safe to call twice. */
  private async drive(paymentId: string): Promise<Outcome<{ payment: PaymentView }>> {
    const row = this.sql.exec("SELECT state, body FROM payments WHERE id = ?", paymentId).toArray()[0];
    const state = JSON.parse(row.body as string) as PaymentState;
    if (row.state !== "reserved") return this.paymentOutcome(state);
    this.driving.add(paymentId);
    try {
      let credit: { ok: true } | LedgerFailure | undefined;
      for (let attempt = 0; attempt < 3 && !credit; attempt++) {
        try {
          const dest = this.env.LEDGER.get(this.env.LEDGER.idFromName(state.destination_account_id));
          credit = await dest.credit({
            payment_id: state.id,
            amount: state.amount,
            currency: state.currency,
            description: state.description ?? `Payment from ${state.source_account_id}`,
            counterparty: state.source_account_id,
          });
        } catch {
          await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        }
      }
      if (!credit) return fail("idempotency_request_in_progress", "The payment is still being processed; retry with the same Idempotency-Key.");
      const outcome = this.settle(paymentId, credit);
      await this.flush();
      return outcome;
    } finally {
      this.driving.delete(paymentId);
    }
  }

  /**
   * Synchronous: posts the hold as a debit entry, or voids it. Runs once per payment, all or nothing.
   * A credited hold that cannot be posted (only one reserved before the reserve-time bound check
   * existed can be) is not voided: the destination holds the money, so voiding would create it. It
   * stays reserved — its hold keeps counting against the source, both sides consistent — and the
   * alarm posts it once money in gives the source room; until then its key answers 409.
   */
  private settle(paymentId: string, credit: { ok: true } | LedgerFailure): Outcome<{ payment: PaymentView }> {
    try {
      return this.ctx.storage.transactionSync(() => this.settleInTransaction(paymentId, credit));
    } catch (e) {
      if (!(e instanceof PostRefused)) throw e;
      log("error", { worker: "transactions", event: "payment_post_refused", payment_id: paymentId, error: e.message });
      return fail("idempotency_request_in_progress", "The payment is still being processed; retry with the same Idempotency-Key.");
    }
  }

  private settleInTransaction(paymentId: string, credit: { ok: true } | LedgerFailure): Outcome<{ payment: PaymentView }> {
    const row = this.sql.exec("SELECT state, body, idem FROM payments WHERE id = ?", paymentId).toArray()[0];
    const state = JSON.parse(row.body as string) as PaymentState;
    if (row.state !== "reserved") return this.paymentOutcome(state);
    this.sql.exec("DELETE FROM holds WHERE payment_id = ?", paymentId);
    if (credit.ok) {
      // The hold already guaranteed the funds and the room: post without checking the limit again.
      // Should the post ever fail, throwing rolls the whole step back and leaves the payment reserved.
      const posted = this.append(
        {
          amount: -state.amount,
          description: state.description ?? `Payment to ${state.destination_account_id}`,
          category: "transfers",
          counterparty: state.destination_account_id,
          occurred_at: state.created_at,
          payment_id: state.id,
        },
        { posting: true },
      );
      if (!posted.ok) throw new PostRefused(`posting payment ${paymentId} failed: ${posted.detail}`);
      state.status = "completed";
    } else {
      state.status = "failed";
      state.failure = credit;
    }
    this.sql.exec("UPDATE payments SET state = ?, body = ?, updated_at = ? WHERE id = ?", state.status, JSON.stringify(state), now(), paymentId);
    const outcome = this.paymentOutcome(state);
    this.remember(JSON.parse(row.idem as string) as Idem, outcome);
    this.projectPayment(state);
    return outcome;
  }

  private paymentOutcome(state: PaymentState): Outcome<{ payment: PaymentView }> {
    if (state.status === "failed") return state.failure!;
    const { user_id, destination_user_id, failure, ...payment } = state;
    return { ok: true, payment };
  }

  /** Test-only: the next `n` credits to this account throw, as an unreachable object would. Stored, so it survives a reset. */
  async injectCreditFailures(n: number) {
    if (this.env.LEDGER_FAULTS !== "on") throw new Error("fault injection is disabled");
    this.sql.exec("CREATE TABLE IF NOT EXISTS _faults (n INTEGER NOT NULL)");
    this.sql.exec("DELETE FROM _faults");
    this.sql.exec("INSERT INTO _faults (n) VALUES (?)", n);
  }

  private injectedFailure(): boolean {
    if (this.env.LEDGER_FAULTS !== "on") return false;
    const row = this.sql.exec("SELECT name FROM sqlite_master WHERE name = '_faults'").toArray()[0];
    if (!row || (this.sql.exec("SELECT n FROM _faults").one().n as number) <= 0) return false;
    this.sql.exec("UPDATE _faults SET n = n - 1");
    return true;
  }

  /**
   * Test-only: the next `n` times the named step runs, it misbehaves — "flush_reset": the object is reset
   * (as by a deploy or an eviction) after an entry is written and before its outbox rows reach D1;
   * "legacy_reserve": a reservation skips the balance-bound check, as reservations made before that
   * check existed did. Stored, so it survives a reset.
   */
  async injectFault(name: "flush_reset" | "legacy_reserve", n: number) {
    if (this.env.LEDGER_FAULTS !== "on") throw new Error("fault injection is disabled");
    this.sql.exec("CREATE TABLE IF NOT EXISTS _fault_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL)");
    this.sql.exec("INSERT INTO _fault_counts (name, n) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET n = excluded.n", name, n);
  }

  private takeFault(name: "flush_reset" | "legacy_reserve"): boolean {
    if (this.env.LEDGER_FAULTS !== "on") return false;
    if (!this.sql.exec("SELECT name FROM sqlite_master WHERE name = '_fault_counts'").toArray().length) return false;
    const row = this.sql.exec("SELECT n FROM _fault_counts WHERE name = ?", name).toArray()[0];
    if (!row || (row.n as number) <= 0) return false;
    this.sql.exec("UPDATE _fault_counts SET n = n - 1 WHERE name = ?", name);
    return true;
  }

  /** Destination side: credits once per payment id, whatever the number of retries. */
  async credit(input: { payment_id: string; amount: number; currency: string; description: string; counterparty: string }): Promise<{ ok: true } | LedgerFailure> {
    if (this.injectedFailure()) throw new Error("injected credit failure");
    if (this.entryRow("payment_id = ?", input.payment_id)) return { ok: true };
    const m = this.meta();
    if (!m) return fail("not_found", "No such destination account.");
    if (m.currency !== input.currency) return fail("currency_mismatch", `The destination account is in ${m.currency}.`);
    const r = this.append({
      amount: input.amount,
      description: input.description,
      category: "transfers",
      counterparty: input.counterparty,
      occurred_at: now(),
      payment_id: input.payment_id,
    });
    if (!r.ok) return r;
    await this.flush();
    return { ok: true };
  }

  // ── projection to D1 through the outbox ─────────────────────────────────
  private project(e: LedgerEntry) {
    this.enqueue(
      `INSERT INTO entries (id, account_id, user_id, version, amount, currency, description, category, counterparty, notes,
         occurred_at, occurred_date, external_id, payment_id, reverses_id, import_id, balance_after, hash, created_at)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET description = excluded.description, category = excluded.category, notes = excluded.notes`,
      [e.id, e.account_id, e.user_id, e.version, e.amount, e.currency, e.description, e.category, e.counterparty, e.notes,
        e.occurred_at, occurredDate(e.occurred_at), e.external_id, e.payment_id, e.reverses_id, e.import_id, e.balance_after, e.hash, e.created_at],
    );
  }

  private projectPayment(p: PaymentState) {
    // A refused payment moved nothing and its id was never given out: it leaves the projection.
    if (p.status === "failed") return this.enqueue("DELETE FROM payments WHERE id = ?", [p.id]);
    this.enqueue(
      `INSERT INTO payments (id, user_id, destination_user_id, source_account_id, destination_account_id, amount, currency,
         description, status, failure_code, created_at, completed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, failure_code = excluded.failure_code, completed_at = excluded.completed_at`,
      [p.id, p.user_id, p.destination_user_id, p.source_account_id, p.destination_account_id, p.amount, p.currency,
        p.description, p.status, p.failure?.code ?? null, p.created_at, p.status === "pending" ? null : now()],
    );
  }

  private enqueue(sql: string, params: unknown[]) {
    this.sql.exec("INSERT INTO outbox (stmt) VALUES (?)", JSON.stringify({ sql, params }));
  }

  /**
   * Schedules the recovery alarm unless this instance has one pending already (then at most RETRY_MS
   * away; not pushing it later keeps a busy account's alarm from being postponed forever).
   */
  private arm(): Promise<void> {
    if (!this.armed) {
      const armed = this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
      armed.catch(() => {
        if (this.armed === armed) this.armed = null;
      });
      this.armed = armed;
    }
    return this.armed;
  }

  /** Sends the outbox to D1 in order; statements are upserts, so sending one twice is harmless. */
  private flush(): Promise<void> {
    // Armed in the same synchronous stretch as the rows it covers, before anything is sent: should the
    // object be reset mid-flush, the alarm sends the rest (an idle account gets no other chance).
    const armed = this.sql.exec("SELECT 1 FROM outbox LIMIT 1").toArray().length ? this.arm() : undefined;
    this.flushing = this.flushing.then(async () => {
      try {
        await armed;
        for (;;) {
          const rows = this.sql.exec("SELECT seq, stmt FROM outbox ORDER BY seq LIMIT 50").toArray();
          if (!rows.length) return;
          if (this.takeFault("flush_reset")) {
            await this.ctx.storage.sync(); // the entry is durable; the reset comes while D1 is being called
            this.ctx.abort("injected reset mid-flush");
          }
          await this.env.DB.batch(
            rows.map((r) => {
              const { sql, params } = JSON.parse(r.stmt as string) as { sql: string; params: unknown[] };
              return this.env.DB.prepare(sql).bind(...params);
            }),
          );
          this.sql.exec("DELETE FROM outbox WHERE seq <= ?", rows[rows.length - 1].seq);
        }
      } catch (e) {
        log("warn", { worker: "transactions", event: "outbox_flush_failed", error: String(e) });
        await this.arm().catch(() => {}); // D1 unreachable: the alarm tries again
      }
    });
    return this.flushing;
  }

  private unfinished(): number {
    return (this.sql.exec("SELECT count(*) AS n FROM payments WHERE state = 'reserved'").one().n as number) +
      (this.sql.exec("SELECT count(*) AS n FROM outbox").one().n as number);
  }

  /** Finishes what a crash or eviction left: outbox rows and reserved payments. */
  override async alarm() {
    this.armed = null; // this one has fired
    if (!this.unfinished()) return;
    // Re-armed before the work, not after: should anything below throw or the object be reset, the
    // next alarm still comes.
    await this.arm();
    await this.flush();
    const reserved = this.sql.exec("SELECT id FROM payments WHERE state = 'reserved' ORDER BY created_at, id").toArray().map((r) => r.id as string);
    for (const id of reserved) {
      if (this.driving.has(id)) continue;
      // Each payment on its own: one that cannot finish never keeps the others reserved.
      try {
        await this.drive(id);
      } catch (e) {
        log("error", { worker: "transactions", event: "payment_recovery_failed", payment_id: id, error: String(e) });
      }
    }
    if (!this.unfinished()) {
      // Checked and cancelled in one synchronous stretch: a write after this arms a fresh alarm.
      this.armed = null;
      await this.ctx.storage.deleteAlarm();
    }
  }
}
