import { createHash } from "node:crypto";
import type { FieldError, IdPrefix, LedgerOutcome, PaymentView } from "#core";

/**
 * The rules of a scheduled payment, apart from the object that runs it: when its occurrences fall,
 * when it is due, what a run or a cancel does to it, and the ids an occurrence's payment carries.
 * Occurrence n is computed from the start (never from occurrence n − 1), so a month-end start keeps its
 * day: Jan 31 → Feb 28 (29) → Mar 31. Calendar arithmetic is in UTC.
 */
export type IntervalUnit = "day" | "week" | "month" | "year";
export const INTERVAL_UNITS = ["day", "week", "month", "year"] as const;
export interface Interval {
  unit: IntervalUnit;
  count: number;
}

/** When a schedule runs: once at `start_at` without an interval, else every interval until end_at or max_occurrences. */
export interface ScheduleTerms {
  start_at: string;
  interval: Interval | null;
  end_at: string | null;
  max_occurrences: number | null;
}

export type ScheduleStatus = "active" | "completed" | "cancelled";

export interface ScheduleProgress {
  status: ScheduleStatus;
  /** The occurrence to run next (possibly already past: it is due); null once completed or cancelled. */
  next_run_at: string | null;
  /** Runs recorded, completed or failed. */
  occurrences_executed: number;
}

/** How far in the past a new schedule may start: a clock a little behind is not refused. */
export const START_GRACE_MS = 60_000;
/** The last instant the calendar arithmetic handles (ISO 8601 with a four-digit year). */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const DAY_MS = 86_400_000;

const iso = (ms: number) => new Date(ms).toISOString();
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

/** The start plus `months` months, on the start's day or the month's last day if it has fewer. */
function addMonths(startMs: number, months: number): number {
  const d = new Date(startMs);
  const total = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const timeOfDay = startMs - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const t = new Date(0);
  t.setUTCFullYear(year, month, Math.min(d.getUTCDate(), daysIn(year, month)));
  return t.getTime() + timeOfDay;
}

/** The time of occurrence `index` (0 = the start), before end_at and max_occurrences apply; null past the calendar. */
export function occurrenceAt(terms: Pick<ScheduleTerms, "start_at" | "interval">, index: number): string | null {
  const start = Date.parse(terms.start_at);
  if (index === 0) return iso(start);
  const every = terms.interval;
  if (!every) return null;
  const steps = index * every.count;
  const ms =
    every.unit === "day"
      ? start + steps * DAY_MS
      : every.unit === "week"
        ? start + steps * 7 * DAY_MS
        : addMonths(start, every.unit === "month" ? steps : steps * 12);
  return ms > LAST_INSTANT ? null : iso(ms);
}

/** The occurrence after `executed` runs, or null when none is left. */
export function nextRunAt(terms: ScheduleTerms, executed: number): string | null {
  if (terms.max_occurrences !== null && executed >= terms.max_occurrences) return null;
  const at = occurrenceAt(terms, executed);
  if (at === null) return null;
  if (terms.end_at !== null && Date.parse(at) > Date.parse(terms.end_at)) return null;
  return at;
}

/** A new schedule: its first occurrence is its start. */
export function initialProgress(terms: ScheduleTerms): ScheduleProgress {
  const next = nextRunAt(terms, 0);
  return { status: next ? "active" : "completed", next_run_at: next, occurrences_executed: 0 };
}

/** Whether an occurrence should run now: active, and its time has come. */
export function isDue(p: ScheduleProgress, nowMs: number): boolean {
  return p.status === "active" && p.next_run_at !== null && Date.parse(p.next_run_at) <= nowMs;
}

/**
 * After one run is recorded (completed or failed alike). A run that was claimed before a cancel still
 * counts, and the schedule stays cancelled.
 */
export function afterRun(terms: ScheduleTerms, p: ScheduleProgress): ScheduleProgress {
  const executed = p.occurrences_executed + 1;
  if (p.status !== "active") return { status: p.status, next_run_at: null, occurrences_executed: executed };
  const next = nextRunAt(terms, executed);
  return { status: next ? "active" : "completed", next_run_at: next, occurrences_executed: executed };
}

/** Cancelling: an active schedule stops; a cancelled one stays as it is (a retried cancel); a completed one cannot. */
export function cancelProgress(p: ScheduleProgress): { ok: true; progress: ScheduleProgress } | { ok: false; code: "conflict" } {
  if (p.status === "completed") return { ok: false, code: "conflict" };
  return { ok: true, progress: { ...p, status: "cancelled", next_run_at: null } };
}

/** The business rules of new terms that the request schema cannot express, as field errors (empty when valid). */
export function termsProblems(terms: ScheduleTerms, nowMs: number): FieldError[] {
  const errors: FieldError[] = [];
  const start = Date.parse(terms.start_at);
  if (start < nowMs - START_GRACE_MS) errors.push({ path: "start_at", message: "must not be in the past" });
  if (terms.end_at !== null && Date.parse(terms.end_at) <= start) errors.push({ path: "end_at", message: "must be after start_at" });
  return errors;
}

/** A date-time with a zone, written as the API answers it (UTC, milliseconds). */
export const normalizeInstant = (s: string) => iso(Date.parse(s));

// ── one occurrence as a payment ─────────────────────────────────────────────
export type RunStatus = "completed" | "failed";

/** What a payment's outcome means for its occurrence: recorded completed or failed, or tried again later. */
export type RunVerdict =
  | { status: "completed"; payment_id: string }
  | { status: "failed"; failure_code: string }
  | { status: "retry"; reason: string };

/**
 * A payment still in flight (the ledger answers in progress until its payment is settled) is asked
 * again with the same key later; every other refusal is final for this occurrence (insufficient
 * funds, a closed account, another currency, an account that no longer exists).
 */
export function runVerdict(outcome: LedgerOutcome<{ payment: PaymentView }>): RunVerdict {
  if (outcome.ok) return { status: "completed", payment_id: outcome.payment.id };
  if (outcome.code === "idempotency_request_in_progress") return { status: "retry", reason: outcome.detail };
  return { status: "failed", failure_code: outcome.code };
}

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** `prefix_` + 10 chars of `atMs` (as newId) + 16 chars of SHA-256 over `seed`: the same seed always gives the same id. */
export function derivedId(prefix: IdPrefix, atMs: number, seed: string): string {
  let time = "";
  for (let t = atMs, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  const digest = createHash("sha256").update(seed).digest();
  let rest = "";
  for (let i = 0; i < 16; i++) rest += ALPHABET[digest[i] % 32];
  return `${prefix}_${time}${rest}`;
}

/** The Idempotency-Key of an occurrence's payment: the schedule and the occurrence time (no caller's key has this shape). */
export const occurrenceKey = (scheduleId: string, occurrenceAt: string) => `${scheduleId}:${occurrenceAt}`;

/** The id of an occurrence's payment, so that a run repeated after a crash names the same payment. */
export const occurrencePaymentId = (scheduleId: string, occurrenceAt: string) =>
  derivedId("pay", Date.parse(occurrenceAt), occurrenceKey(scheduleId, occurrenceAt));

/** The fingerprint sent with the occurrence's key: a replay of the same occurrence matches it. */
export const occurrenceFingerprint = (payment: Record<string, unknown>) =>
  createHash("sha256")
    .update(
      `scheduled payment\n${JSON.stringify(
        Object.keys(payment)
          .sort()
          .map((k) => [k, payment[k]]),
      )}`,
    )
    .digest("hex");
