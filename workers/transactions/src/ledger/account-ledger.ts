import { DurableObject } from "cloudflare:workers";
import type {
  AccountBalance,
  CreditRequest,
  EntryInput,
  EntryPatch,
  EntryQuery,
  IdempotencyKey,
  ImportOptions,
  ImportRowResult,
  ImportSummary,
  LedgerAccount,
  LedgerEntry,
  LedgerFailure,
  LedgerOutcome,
  LedgerRpc,
  LedgerSnapshot,
  PaymentRequest,
  PaymentView,
  RecordRequest,
  SentPaymentText,
  Verification,
} from "#core";
import { log, namedStub, type AiRpc, type EventRecord, type EventsQueue, type RpcBinding, type Statement } from "#core";
import { modelCategories, ruleCategory, userRules } from "../categorize";
import { verifyChain } from "./chain";
import { entryProjection, entryRefusal, fail, insertEntry, readMeta, readTotals, tooLong, type NewEntry, type Totals } from "./entries";
import { erasedCounterpartyEvents, payeeEvent, payerEvent, paymentView, transactionCreated, type CreditedPayment } from "./events";
import { ERASE_ENTRY_SET, eraseCounterpartyRows, eraseOwnRows, isErased, markErased, sentPaymentTexts } from "./erasure";
import { IdempotencyRecords } from "./idempotency";
import { paymentOutcome, paymentProjection, reserveRefusal, type PaymentState } from "./payment";
import { Projection } from "./projection";
import { PROJECTOR_NAME, writeProjection, type Projector, type ProjectorRpc } from "./projector";
import { entryPageQuery, toEntry, type Meta } from "./reads";
import { available, occurredDate, tooLongField } from "./rules";
import { isOpened, migrate } from "./storage";

export interface LedgerEnv {
  DB: D1Database;
  LEDGER: DurableObjectNamespace<AccountLedger>;
  /** The categoriser (its RPC method), for entries recorded without a category. */
  AI_SERVICE?: RpcBinding<AiRpc>;
  /** The events queue (`ef-events`): events leave the outbox there once D1 has them. */
  EVENTS?: EventsQueue;
  /** The object that writes many accounts' projection batches per D1 transaction (projector.ts); without it each ledger writes D1 itself. */
  PROJECTOR?: DurableObjectNamespace<Projector>;
}

const now = () => new Date().toISOString();
const RETRY_MS = 5_000;
/** An import still marked running after this long died midway (no alarm finishes one): its key may run again. */
const IMPORT_ABANDONED_MS = 15 * 60_000;

/** Thrown inside the settle transaction to roll it back when a credited hold cannot be posted. */
class PostRefused extends Error {}

/**
 * One object per account, the single writer of its ledger and the source of truth for it: it knows
 * its owner, currency, status and limit, so it answers every request about its account by itself —
 * ownership (a foreign account is as absent as a missing one), the money rules, the reads of its
 * entries — and D1 only ever sees the result, through the outbox, after the answer.
 *
 * Every method that moves money does its checks and its insert in one synchronous stretch (no await
 * in between: one implicit transaction, no interleaving). The design is in the modules beside this
 * shell: entries.ts (entries and their rules), payment.ts (the payment protocol), projection.ts (the
 * outbox), idempotency.ts, reads.ts, erasure.ts.
 */
export class AccountLedger extends DurableObject<LedgerEnv> implements LedgerRpc {
  private readonly sql: SqlStorage;
  private readonly idempotency: IdempotencyRecords;
  private readonly projection: Projection;
  private opened: boolean;
  private readonly driving = new Set<string>();
  /** The recovery alarm this instance has set and that has not fired yet. */
  private armed: Promise<void> | null = null;
  private categorizing: Promise<void> | undefined;
  /** meta()'s copy: undefined until read, null for an object with no account. */
  private metaRow: Meta | null | undefined;

  constructor(ctx: DurableObjectState, env: LedgerEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // An id nobody opened stays empty: asking about it (a stranger's guess) writes nothing.
    this.opened = isOpened(this.sql);
    if (this.opened) migrate(this.sql);
    this.idempotency = new IdempotencyRecords(this.sql, ctx.storage.kv);
    this.projection = new Projection(ctx, this.sql, {
      send: (stmts, events) => this.sendProjection(stmts, events),
      balance: () => this.balanceProjection(),
      arm: () => this.arm(),
    });
  }

  // ── seams (tests/worker.ts injects faults by overriding these) ───────────
  /** Sends one projection batch to D1 and its events to the queue, through the projector's group commit when it is bound. */
  protected async sendProjection(stmts: Statement[], events: EventRecord[] = []): Promise<void> {
    if (this.env.PROJECTOR) return namedStub<ProjectorRpc>(this.env.PROJECTOR, PROJECTOR_NAME).project({ stmts, events });
    await writeProjection(this.env, [{ stmts, events }]);
  }

  /** Whether a reservation checks the balance bound (every reservation does; reservations made before that check existed did not). */
  protected reserveChecksBound(): boolean {
    return true;
  }

  /** Resolves once the projection in flight, if any, has been sent (or has failed). */
  protected projectionIdle(): Promise<void> {
    return this.projection.idle();
  }

  // ── who may ask ──────────────────────────────────────────────────────────
  /** The account's row, read once per instance and again after each change to it (open, close, restore). */
  private meta(): Meta | undefined {
    if (!this.opened) return undefined;
    this.metaRow ??= readMeta(this.sql) ?? null;
    return this.metaRow ?? undefined;
  }

  /** The account if `caller` may use it (no caller: a platform-internal call); a foreign account is as absent as a missing one. */
  private owned(caller?: string): Meta | undefined {
    const m = this.meta();
    return m && (caller === undefined || m.user_id === caller) ? m : undefined;
  }

  private closeAccount() {
    this.sql.exec("UPDATE meta SET status = 'closed'");
    this.metaRow = undefined;
  }

  private totals(): Totals {
    return readTotals(this.sql);
  }

  // ── reads ────────────────────────────────────────────────────────────────
  private balanceOf(m: Meta): AccountBalance {
    const t = this.totals();
    return {
      current: t.current,
      pending: t.pending,
      available: available({ current: t.current, pending: t.pending, overdraft_limit: m.overdraft_limit }),
      version: t.version,
      as_of: now(),
      status: m.status,
      currency: m.currency,
    };
  }

  private entryRow(where: string, ...args: (string | number)[]): LedgerEntry | undefined {
    const m = this.meta();
    const r = m && this.sql.exec(`SELECT * FROM entries WHERE ${where}`, ...args).toArray()[0];
    return r ? toEntry(m, r) : undefined;
  }

  async balance(): Promise<AccountBalance>;
  async balance(caller: string): Promise<AccountBalance | null>;
  async balance(caller?: string): Promise<AccountBalance | null> {
    const m = this.owned(caller);
    if (m) return this.balanceOf(m);
    return caller === undefined ? { current: 0, pending: 0, available: 0, version: 0, as_of: now(), status: "open", currency: "" } : null;
  }

  async verify(caller?: string): Promise<Verification | null> {
    const m = this.owned(caller);
    if (!m) return null;
    const rows = this.sql.exec("SELECT * FROM entries ORDER BY version").toArray();
    const result = verifyChain(rows.map((r) => ({ ...(r as any), account_id: m.account_id, currency: m.currency })));
    return { entries: rows.length, head_hash: result.head_hash, valid: result.valid };
  }

  async list(query: EntryQuery, caller?: string): Promise<LedgerEntry[] | null> {
    const m = this.owned(caller);
    if (!m) return null;
    const { sql, args } = entryPageQuery(query);
    return this.sql
      .exec(sql, ...args)
      .toArray()
      .map((r) => toEntry(m, r));
  }

  async get(entryId: string, caller?: string): Promise<LedgerEntry | null> {
    return this.owned(caller) ? (this.entryRow("id = ?", entryId) ?? null) : null;
  }

  /** After the projection batch in flight, if any, has landed or failed: a stable view for the ledger check. */
  async snapshot(): Promise<LedgerSnapshot> {
    await this.projection.idle();
    if (!this.opened) return { meta: null, entries: [], holds: [], payments: [], outbox: 0 };
    return {
      meta: this.meta() ?? null,
      entries: this.sql.exec("SELECT * FROM entries ORDER BY version").toArray(),
      holds: this.sql.exec("SELECT * FROM holds").toArray(),
      payments: this.sql.exec("SELECT id, state FROM payments").toArray() as { id: string; state: string }[],
      outbox: this.projection.size(),
    };
  }

  // ── account lifecycle ────────────────────────────────────────────────────
  async open(account: LedgerAccount) {
    if (!this.opened) {
      migrate(this.sql);
      this.opened = true;
    }
    if (!this.meta()) {
      this.sql.exec(
        "INSERT INTO meta (account_id, user_id, currency, overdraft_limit, status, created_at) VALUES (?, ?, ?, ?, 'open', ?)",
        account.id,
        account.user_id,
        account.currency,
        account.overdraft_limit,
        account.created_at,
      );
      this.metaRow = undefined;
    }
    const { status, currency, ...balance } = this.balanceOf(this.meta()!);
    return balance;
  }

  async close(): Promise<LedgerOutcome> {
    if (!this.meta()) return fail("not_found", "No such account.");
    const t = this.totals();
    if (t.current !== 0 || t.pending !== 0) return fail("conflict", "Only an account at zero balance with nothing pending can be closed.");
    this.closeAccount();
    return { ok: true };
  }

  // ── deletion of the owner (erasure.ts holds the rules) ───────────────────
  /** Closes whatever the balance (it stays, frozen); payments in flight from here are finished first. Idempotent. */
  async closeForDeletion(): Promise<LedgerOutcome<{ sent: SentPaymentText[] }>> {
    for (let round = 0; round < 3; round++) {
      if (!this.meta()) return fail("not_found", "No such account.");
      // A hold is a payment already accepted: it must post or void before the account stops taking entries.
      if (this.totals().pending === 0) {
        this.closeAccount();
        return { ok: true, sent: sentPaymentTexts(this.sql) };
      }
      for (const r of this.sql.exec("SELECT id FROM payments WHERE state = 'reserved'").toArray()) await this.drive(r.id as string);
    }
    return fail("conflict", "A payment from this account is still in flight; retry shortly.");
  }

  /** Erases the owner's text from the object and, through the outbox, from D1. Throws while D1 is unreachable. */
  async erase(): Promise<LedgerOutcome> {
    const m = this.meta();
    if (!m) return { ok: true };
    if (m.status !== "closed" || this.totals().pending !== 0) return fail("conflict", "Only an account closed for deletion can be erased.");
    // Rows still waiting for D1 carry the text: they must be sent before the erasing statements.
    await this.projection.flush();
    this.ctx.storage.transactionSync(() => {
      if (this.projection.size() > 0) throw new Error("the D1 projection is unreachable; retry the deletion");
      eraseOwnRows(this.sql);
      markErased(this.ctx.storage.kv);
      this.projection.enqueue(`UPDATE entries SET ${ERASE_ENTRY_SET} WHERE account_id = ?`, [m.account_id]);
      this.projection.enqueue("UPDATE payments SET description = NULL WHERE source_account_id = ?", [m.account_id]);
      this.projection.enqueue("DELETE FROM events WHERE user_id = ?", [m.user_id]);
    });
    await this.projection.flush();
    if (this.projection.size() > 0) throw new Error("the D1 projection is unreachable; retry the deletion");
    return { ok: true };
  }

  /** The payee's legs of payments from a deleted payer lose the payer's words (unless the payee rewrote them). */
  async eraseCounterparty(payments: SentPaymentText[]): Promise<{ ok: true }> {
    if (!this.meta() || payments.length === 0) return { ok: true };
    const changed = this.ctx.storage.transactionSync(() => {
      const rows = eraseCounterpartyRows(this.sql, payments);
      // Queued after any older row of these entries, so D1 ends with the erased text whatever the order of retries.
      for (const e of rows) {
        this.projection.enqueue("UPDATE entries SET description = ? WHERE id = ?", [e.description, e.id]);
        const leg = erasedCounterpartyEvents(this.meta()!.user_id, e.id, this.entryRow("id = ?", e.id)?.payment_id ?? "", e.description);
        this.projection.enqueue(leg.sql, leg.params);
      }
      return rows;
    });
    await this.projection.flush();
    for (const e of changed)
      if (this.sql.exec("SELECT count(*) AS n FROM outbox WHERE instr(stmt, ?) > 0", e.id).one().n)
        throw new Error("the D1 projection is unreachable; retry the deletion");
    return { ok: true };
  }

  // ── entries ──────────────────────────────────────────────────────────────
  /** The single place an entry is written: its rules (entries.ts), then the row and its outbox row in one transaction. */
  private append(input: NewEntry, opts: { posting?: boolean } = {}): LedgerOutcome<{ entry: LedgerEntry }> {
    const m = this.meta();
    if (!m) return fail("not_found", "No such account.");
    const t = this.totals();
    const refused = entryRefusal(m, t, input, opts.posting);
    if (refused) return refused;
    // The entry and its outbox row commit together or not at all: no entry without its projection.
    const entry = this.ctx.storage.transactionSync(() => {
      const written = insertEntry(this.sql, m, t, input);
      const p = entryProjection(written);
      // An entry whose category is still to be chosen is told once it is (categorizePending, patch):
      // the event carries the transaction as the API returns it, category included.
      this.projection.enqueue(p.sql, p.params, written.category_status === "pending" ? undefined : transactionCreated(written));
      return written;
    });
    return { ok: true, entry };
  }

  async record(input: RecordRequest, caller?: string): Promise<LedgerOutcome<{ entry: LedgerEntry }>> {
    if (!this.owned(caller)) return fail("not_found", "No such account.");
    const { idem, categorize, ...fields } = input;
    const seen = this.idempotency.replay<{ entry: LedgerEntry }>(idem);
    if (seen) return seen;
    if (fields.external_id && this.entryRow("external_id = ?", fields.external_id))
      return fail("conflict", "A transaction with this external_id already exists.");
    const pending = !fields.category;
    let result = this.append({ ...fields, category: fields.category || "other", category_status: pending ? "pending" : "final" });
    this.idempotency.remember(idem, result);
    this.projection.schedule();
    if (result.ok && pending) {
      const id = result.entry.id;
      const done = this.categorizeSoon();
      if (categorize !== "after") {
        // The money is already recorded: only the answer waits for the category.
        await done;
        for (let i = 0; i < 2 && this.entryRow("id = ? AND category_status = 'pending'", id); i++) await this.categorizeSoon();
        result = { ok: true, entry: this.entryRow("id = ?", id) ?? result.entry };
        this.idempotency.remember(idem, result);
      }
    }
    return result;
  }

  /**
   * Duplicates are decided here, in the synchronous stretch: a row with an external_id already in the
   * account is one; a row without is matched as a multiset on (date, amount, description) — the k-th
   * such row of a file is a duplicate when the account already holds k of them from elsewhere (its own
   * earlier batches excluded), so a file's two identical coffees are two coffees and a re-import adds none.
   */
  async importRows(rows: EntryInput[], caller?: string, options: ImportOptions = {}): Promise<ImportRowResult[]> {
    if (!this.owned(caller)) return rows.map(() => ({ status: "failed", message: "No such account." }));
    let delta = options.prior_delta ?? 0;
    // A dry run writes nothing, so the account it checks against is read once per batch.
    const dry = options.dry_run ? { m: this.meta(), t: this.totals(), ids: new Set<string>() } : undefined;
    const results = rows.map((row, i): ImportRowResult => {
      const dup = row.external_id
        ? this.entryRow("external_id = ?", row.external_id) !== undefined || !!dry?.ids.has(row.external_id)
        : (this.sql
            .exec(
              "SELECT count(*) AS n FROM entries WHERE occurred_date = ? AND amount = ? AND description = ? AND import_id IS NOT ?",
              occurredDate(row.occurred_at),
              row.amount,
              row.description,
              row.import_id ?? null,
            )
            .one().n as number) >= (options.occurrences?.[i] ?? 1);
      if (dup) return { status: "duplicate" };
      const input = { ...row, category: row.category || "other" };
      if (dry) {
        const { m, t } = dry;
        const refused = m ? entryRefusal(m, { ...t, current: t.current + delta }, input) : fail("not_found", "No such account.");
        if (refused) return { status: "failed", message: refused.detail };
        delta += row.amount;
        if (row.external_id) dry.ids.add(row.external_id);
        return { status: "imported" };
      }
      const r = this.append(input);
      return r.ok ? { status: "imported" } : { status: "failed", message: r.detail };
    });
    // A statement is bulk work, not the hot path: its batch answers once projected (or once D1 failed,
    // then the alarm resends), so reports read right after an import include it. (Projecting in the
    // background instead starves the drain: the next batch's synchronous stretch arrives at once.)
    if (!dry) await this.projection.flush();
    return results;
  }

  async beginImport(idem: IdempotencyKey, caller: string): Promise<LedgerOutcome<{ import: ImportSummary }> | undefined> {
    if (!this.owned(caller)) return fail("not_found", "No such account.");
    const seen = this.idempotency.replay<{ import: ImportSummary }>(idem, IMPORT_ABANDONED_MS);
    if (seen) return seen;
    this.idempotency.remember(idem, null);
    return undefined;
  }

  async finishImport(idem: IdempotencyKey, summary: ImportSummary, caller: string): Promise<void> {
    if (this.owned(caller)) this.idempotency.remember(idem, { ok: true, import: summary });
  }

  async patch(entryId: string, fields: EntryPatch, caller?: string): Promise<LedgerEntry | null> {
    if (!this.owned(caller)) return null;
    const entry = this.entryRow("id = ?", entryId);
    if (!entry || isErased(this.ctx.storage.kv)) return null;
    const next: LedgerEntry = { ...entry, ...fields, ...(fields.category ? { category_status: "final" as const } : {}) };
    // The route's schema bounds these; refusing here too keeps an oversized row out of SQLite.
    const long = tooLongField(next);
    if (long) throw new Error(tooLong(long).detail);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        "UPDATE entries SET category = ?, category_status = ?, description = ?, notes = ? WHERE id = ?",
        next.category,
        next.category_status,
        next.description,
        next.notes ?? null,
        entryId,
      );
      if (entry.category_status === "pending" && next.category_status === "final") this.projectCategorized(next);
      else {
        const p = entryProjection(next);
        this.projection.enqueue(p.sql, p.params);
      }
    });
    this.projection.schedule();
    return next;
  }

  async reverse(entryId: string, idem?: IdempotencyKey, caller?: string): Promise<LedgerOutcome<{ entry: LedgerEntry }>> {
    if (!this.owned(caller)) return fail("not_found", "No such transaction.");
    const seen = this.idempotency.replay<{ entry: LedgerEntry }>(idem);
    if (seen) return seen;
    const original = this.entryRow("id = ?", entryId);
    let result: LedgerOutcome<{ entry: LedgerEntry }>;
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
    this.idempotency.remember(idem, result);
    this.projection.schedule();
    return result;
  }

  // ── categories of entries recorded without one: rules, then the model, else `other` ──
  private categorizeSoon(): Promise<void> {
    if (!this.categorizing) {
      const run = this.categorizePending().finally(() => {
        if (this.categorizing === run) this.categorizing = undefined;
      });
      this.categorizing = run;
      this.ctx.waitUntil(run);
    }
    return this.categorizing;
  }

  private pendingCategories(): number {
    return this.opened ? (this.sql.exec("SELECT count(*) AS n FROM entries WHERE category_status = 'pending'").one().n as number) : 0;
  }

  /** An entry whose category was just chosen: its row, and the transaction.created held back until now (none once erased). */
  private projectCategorized(entry: LedgerEntry) {
    const p = entryProjection(entry);
    this.projection.enqueue(p.sql, p.params, isErased(this.ctx.storage.kv) ? undefined : transactionCreated(entry));
  }

  private async categorizePending(): Promise<void> {
    const m = this.meta();
    if (!m) return;
    const rows = this.sql
      .exec("SELECT id, description, amount, counterparty FROM entries WHERE category_status = 'pending' ORDER BY version LIMIT 100")
      .toArray();
    if (!rows.length) return;
    this.arm().catch(() => undefined); // should this fail or the object die, the alarm tries again
    let chosen: string[];
    if (isErased(this.ctx.storage.kv)) chosen = rows.map(() => "other");
    else {
      let rules;
      try {
        rules = await userRules(this.env.DB, m.user_id);
      } catch (e) {
        log("warn", { worker: "transactions", event: "categorize_failed", error: String(e) });
        return;
      }
      const byRule = rows.map((r) => ruleCategory(rules, r.description as string));
      const rest = rows.filter((_, i) => !byRule[i]);
      const model = await modelCategories(
        this.env,
        rest.map((r) => ({
          description: r.description as string,
          amount: r.amount as number,
          counterparty: r.counterparty as string | null,
        })),
      );
      let k = 0;
      chosen = rows.map((_, i) => byRule[i] ?? model[k++] ?? "other");
    }
    this.ctx.storage.transactionSync(() => {
      rows.forEach((r, i) => {
        // A category the owner set meanwhile (PATCH) wins.
        const cursor = this.sql.exec(
          "UPDATE entries SET category = ?, category_status = 'final' WHERE id = ? AND category_status = 'pending'",
          chosen[i],
          r.id,
        );
        if (cursor.rowsWritten) this.projectCategorized(this.entryRow("id = ?", r.id as string)!);
      });
    });
    this.projection.schedule();
  }

  // ── payments (payment.ts holds the protocol) ─────────────────────────────
  async pay(input: PaymentRequest): Promise<LedgerOutcome<{ payment: PaymentView }>> {
    const m = this.meta();
    // Not the caller's: answered like a missing account, and nothing stored here for a stranger.
    if (!m || m.user_id !== input.user_id) return fail("not_found", "No such source account.");
    const seen = this.idempotency.replay<{ payment: PaymentView }>(input.idem);
    if (seen) return seen;
    const refusal = reserveRefusal(m, this.totals(), input, this.reserveChecksBound());
    if (refusal) {
      this.idempotency.remember(input.idem, refusal);
      return refusal;
    }
    const { idem, ...rest } = input;
    const state: PaymentState = { ...rest, status: "pending", created_at: now() };
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("INSERT INTO holds (payment_id, amount, created_at) VALUES (?, ?, ?)", state.id, state.amount, state.created_at);
      this.sql.exec(
        "INSERT INTO payments (id, state, body, idem, created_at, updated_at) VALUES (?, 'reserved', ?, ?, ?, ?)",
        state.id,
        JSON.stringify(state),
        JSON.stringify(idem),
        state.created_at,
        state.created_at,
      );
      this.idempotency.remember(idem, null); // in flight: a concurrent retry gets 409
      // No projection yet: the payment reaches D1 once settled, moments from now (or as pending, below).
    });
    // If this object dies from here on, the alarm finishes or voids the payment.
    await this.arm();
    return this.drive(state.id);
  }

  async payment(paymentId: string, caller: string): Promise<PaymentView | null> {
    if (!this.owned(caller)) return null;
    const sent = this.sql.exec("SELECT body FROM payments WHERE id = ?", paymentId).toArray()[0];
    if (sent) {
      const outcome = paymentOutcome(JSON.parse(sent.body as string) as PaymentState);
      return outcome.ok ? outcome.payment : null;
    }
    const received = this.sql.exec("SELECT body FROM received WHERE payment_id = ?", paymentId).toArray()[0];
    return received ? (JSON.parse(received.body as string) as PaymentView) : null;
  }

  /** Moves a reserved payment to its end: credited then posted, or voided. Safe to call twice. */
  private async drive(paymentId: string): Promise<LedgerOutcome<{ payment: PaymentView }>> {
    const row = this.sql.exec("SELECT state, body FROM payments WHERE id = ?", paymentId).toArray()[0];
    const state = JSON.parse(row.body as string) as PaymentState;
    if (row.state !== "reserved") return paymentOutcome(state);
    this.driving.add(paymentId);
    try {
      let credit: LedgerOutcome<{ user_id: string }> | undefined;
      for (let attempt = 0; attempt < 3 && !credit; attempt++) {
        try {
          const dest = this.env.LEDGER.get(this.env.LEDGER.idFromName(state.destination_account_id));
          credit = await dest.credit({
            payment_id: state.id,
            amount: state.amount,
            currency: state.currency,
            description: state.description ?? `Payment from ${state.source_account_id}`,
            counterparty: state.source_account_id,
            payment: { ...paymentView(state), user_id: state.user_id },
          });
        } catch {
          await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        }
      }
      if (!credit) {
        // The destination did not answer: the payment stays reserved (the alarm drives it on) and shows as pending.
        const p = paymentProjection(state);
        this.projection.enqueue(p.sql, p.params);
        return fail("idempotency_request_in_progress", "The payment is still being processed; retry with the same Idempotency-Key.");
      }
      return this.settle(paymentId, credit);
    } finally {
      this.driving.delete(paymentId);
      this.projection.schedule();
    }
  }

  /**
   * Synchronous: posts the hold as a debit entry, or voids it. Runs once per payment, all or nothing.
   * A credited hold that cannot be posted (only one reserved before the reserve-time bound check
   * existed can be) is not voided: the destination holds the money, so voiding would create it. It
   * stays reserved — its hold keeps counting against the source, both sides consistent — and the
   * alarm posts it once money in gives the source room; until then its key answers 409.
   */
  private settle(paymentId: string, credit: LedgerOutcome<{ user_id: string }>): LedgerOutcome<{ payment: PaymentView }> {
    try {
      return this.ctx.storage.transactionSync(() => this.settleInTransaction(paymentId, credit));
    } catch (e) {
      if (!(e instanceof PostRefused)) throw e;
      log("error", { worker: "transactions", event: "payment_post_refused", payment_id: paymentId, error: e.message });
      return fail("idempotency_request_in_progress", "The payment is still being processed; retry with the same Idempotency-Key.");
    }
  }

  private settleInTransaction(paymentId: string, credit: LedgerOutcome<{ user_id: string }>): LedgerOutcome<{ payment: PaymentView }> {
    const row = this.sql.exec("SELECT state, body, idem FROM payments WHERE id = ?", paymentId).toArray()[0];
    const state = JSON.parse(row.body as string) as PaymentState;
    if (row.state !== "reserved") return paymentOutcome(state);
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
      state.destination_user_id = credit.user_id;
    } else {
      state.status = "failed";
      state.failure = { ok: false, code: credit.code, detail: credit.detail };
    }
    this.sql.exec(
      "UPDATE payments SET state = ?, body = ?, updated_at = ? WHERE id = ?",
      state.status,
      JSON.stringify(state),
      now(),
      paymentId,
    );
    const outcome = paymentOutcome(state);
    this.idempotency.remember(JSON.parse(row.idem as string) as IdempotencyKey, outcome);
    const p = paymentProjection(state);
    this.projection.enqueue(p.sql, p.params, payerEvent(state, now()));
    return outcome;
  }

  /** Destination side: checks its own status and currency, credits once per payment id, and names its owner. */
  async credit(input: CreditRequest & { payment?: CreditedPayment }): Promise<LedgerOutcome<{ user_id: string }>> {
    const m = this.meta();
    if (!m) return fail("not_found", "No such destination account.");
    if (this.entryRow("payment_id = ?", input.payment_id)) return { ok: true, user_id: m.user_id };
    if (m.currency !== input.currency) return fail("currency_mismatch", `The destination account is in ${m.currency}.`);
    // The credit and the payee's event commit together.
    const r = this.ctx.storage.transactionSync(() => {
      const r = this.append({
        amount: input.amount,
        description: input.description,
        category: "transfers",
        counterparty: input.counterparty,
        occurred_at: now(),
        payment_id: input.payment_id,
      });
      const event = r.ok ? payeeEvent(input.payment, m.user_id, r.entry.created_at) : undefined;
      if (event) {
        this.projection.enqueueEvent(event);
        // The payee's view of it, as the event carries it, for the payee's reads before D1 has it.
        this.sql.exec(
          "INSERT OR REPLACE INTO received (payment_id, body) VALUES (?, ?)",
          input.payment_id,
          JSON.stringify(event.data.object),
        );
      }
      return r;
    });
    if (!r.ok) return r;
    this.projection.schedule();
    return { ok: true, user_id: m.user_id };
  }

  // ── projection to D1 (projection.ts holds the outbox) ───────────────────
  /** The account's live balance for GET /v1/accounts, sent with every batch. */
  private balanceProjection(): Statement | undefined {
    const m = this.meta();
    if (!m) return undefined;
    const t = this.totals();
    return {
      sql: "UPDATE accounts SET balance_current = ?, balance_pending = ?, balance_version = ? WHERE id = ?",
      params: [t.current, t.pending, t.version, m.account_id],
    };
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

  private unfinished(): number {
    if (!this.opened) return 0;
    return (
      (this.sql.exec("SELECT count(*) AS n FROM payments WHERE state = 'reserved'").one().n as number) +
      this.projection.size() +
      this.pendingCategories()
    );
  }

  /** Finishes what a crash, an eviction or an outage left: outbox rows, categories to choose, reserved payments. */
  override async alarm() {
    this.armed = null; // this one has fired
    if (!this.unfinished()) return;
    // Re-armed before the work, not after: should anything below throw or the object be reset, the
    // next alarm still comes.
    await this.arm();
    if (this.pendingCategories()) await this.categorizeSoon();
    await this.projection.flush();
    const reserved = this.sql
      .exec("SELECT id FROM payments WHERE state = 'reserved' ORDER BY created_at, id")
      .toArray()
      .map((r) => r.id as string);
    for (const id of reserved) {
      if (this.driving.has(id)) continue;
      // Each payment on its own: one that cannot finish never keeps the others reserved.
      try {
        await this.drive(id);
      } catch (e) {
        log("error", { worker: "transactions", event: "payment_recovery_failed", payment_id: id, error: String(e) });
      }
    }
    await this.projection.flush();
    if (!this.unfinished()) {
      // Checked and cancelled in one synchronous stretch: a write after this arms a fresh alarm.
      this.armed = null;
      await this.ctx.storage.deleteAlarm();
    }
  }

  // ── backup and restore (the admin backup route; workers/core/src/object-backup.ts) ──
  /** The whole object in one synchronous read, outbox included: its rows reach D1 again after a restore. */
  async backupExport() {
    const { exportObject } = await import("#core/object-backup");
    return exportObject(this.ctx.storage);
  }

  /** Loads a dump into this empty object, then re-sends its balance and outbox to D1 and resumes unfinished payments. */
  async backupImport(dump: import("#core/object-backup").ObjectDump, replace = false): Promise<{ ok: true }> {
    const { importObject } = await import("#core/object-backup");
    await importObject(this.ctx.storage, dump, { replace });
    this.armed = null;
    this.metaRow = undefined;
    this.opened = isOpened(this.sql);
    if (!this.opened) return { ok: true };
    migrate(this.sql);
    await this.projection.flush();
    const balance = this.balanceProjection();
    if (balance) await this.sendProjection([balance]);
    if (this.unfinished()) await this.arm();
    return { ok: true };
  }
}
