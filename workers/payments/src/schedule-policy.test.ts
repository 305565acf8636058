import { describe, expect, it } from "vitest";
import {
  afterRun,
  cancelProgress,
  derivedId,
  initialProgress,
  isDue,
  nextRunAt,
  normalizeInstant,
  occurrenceAt,
  occurrenceFingerprint,
  occurrenceKey,
  occurrencePaymentId,
  runVerdict,
  termsProblems,
  type Interval,
  type ScheduleProgress,
  type ScheduleTerms,
} from "./schedule-policy";

const terms = (start_at: string, interval: Interval | null, more: Partial<ScheduleTerms> = {}): ScheduleTerms => ({
  start_at,
  interval,
  end_at: null,
  max_occurrences: null,
  ...more,
});
const first = (t: ScheduleTerms, n: number) => Array.from({ length: n }, (_, i) => nextRunAt(t, i));

describe("occurrences", () => {
  it("monthly from the 31st keeps the day, clamped to shorter months (leap and common years)", () => {
    expect(first(terms("2027-01-31T09:30:00.000Z", { unit: "month", count: 1 }), 5)).toEqual([
      "2027-01-31T09:30:00.000Z",
      "2027-02-28T09:30:00.000Z",
      "2027-03-31T09:30:00.000Z",
      "2027-04-30T09:30:00.000Z",
      "2027-05-31T09:30:00.000Z",
    ]);
    expect(first(terms("2028-01-31T00:00:00.000Z", { unit: "month", count: 1 }), 3)).toEqual([
      "2028-01-31T00:00:00.000Z",
      "2028-02-29T00:00:00.000Z",
      "2028-03-31T00:00:00.000Z",
    ]);
  });

  it("every n months crosses years; the 30th stays the 30th after February", () => {
    expect(first(terms("2026-11-30T12:00:00.000Z", { unit: "month", count: 3 }), 4)).toEqual([
      "2026-11-30T12:00:00.000Z",
      "2027-02-28T12:00:00.000Z",
      "2027-05-30T12:00:00.000Z",
      "2027-08-30T12:00:00.000Z",
    ]);
  });

  it("yearly from Feb 29 falls on Feb 28 in common years and Feb 29 in leap years", () => {
    expect(first(terms("2028-02-29T08:00:00.000Z", { unit: "year", count: 1 }), 5)).toEqual([
      "2028-02-29T08:00:00.000Z",
      "2029-02-28T08:00:00.000Z",
      "2030-02-28T08:00:00.000Z",
      "2031-02-28T08:00:00.000Z",
      "2032-02-29T08:00:00.000Z",
    ]);
  });

  it("days and weeks are fixed steps of 24 h and 7 days (UTC, no daylight saving)", () => {
    expect(first(terms("2027-03-27T23:00:00.000Z", { unit: "day", count: 2 }), 3)).toEqual([
      "2027-03-27T23:00:00.000Z",
      "2027-03-29T23:00:00.000Z",
      "2027-03-31T23:00:00.000Z",
    ]);
    expect(first(terms("2027-12-27T10:00:00.000Z", { unit: "week", count: 1 }), 2)).toEqual([
      "2027-12-27T10:00:00.000Z",
      "2028-01-03T10:00:00.000Z",
    ]);
  });

  it("without an interval there is one occurrence", () => {
    const once = terms("2027-01-01T00:00:00.000Z", null);
    expect(first(once, 3)).toEqual(["2027-01-01T00:00:00.000Z", null, null]);
  });

  it("max_occurrences and end_at (inclusive) end the schedule", () => {
    const monthly = { unit: "month", count: 1 } as const;
    expect(first(terms("2027-01-15T00:00:00.000Z", monthly, { max_occurrences: 2 }), 3)).toEqual([
      "2027-01-15T00:00:00.000Z",
      "2027-02-15T00:00:00.000Z",
      null,
    ]);
    expect(first(terms("2027-01-15T00:00:00.000Z", monthly, { end_at: "2027-03-15T00:00:00.000Z" }), 4)).toEqual([
      "2027-01-15T00:00:00.000Z",
      "2027-02-15T00:00:00.000Z",
      "2027-03-15T00:00:00.000Z",
      null,
    ]);
    expect(nextRunAt(terms("2027-01-15T00:00:00.000Z", monthly, { end_at: "2027-03-14T23:59:59.999Z" }), 2)).toBeNull();
  });

  it("stops at the end of year 9999 instead of writing a five-digit year", () => {
    const t = terms("9999-06-01T00:00:00.000Z", { unit: "year", count: 1 });
    expect(occurrenceAt(t, 1)).toBeNull();
    expect(afterRun(t, initialProgress(t))).toEqual({ status: "completed", next_run_at: null, occurrences_executed: 1 });
  });
});

describe("status transitions", () => {
  const monthly = terms("2027-01-31T00:00:00.000Z", { unit: "month", count: 1 }, { max_occurrences: 2 });

  it("a new schedule is active and due at its start, not before", () => {
    const p = initialProgress(monthly);
    expect(p).toEqual({ status: "active", next_run_at: "2027-01-31T00:00:00.000Z", occurrences_executed: 0 });
    expect(isDue(p, Date.parse("2027-01-30T23:59:59.999Z"))).toBe(false);
    expect(isDue(p, Date.parse("2027-01-31T00:00:00.000Z"))).toBe(true);
  });

  it("each run counts; after the last one the schedule is completed with no next run", () => {
    const one = afterRun(monthly, initialProgress(monthly));
    expect(one).toEqual({ status: "active", next_run_at: "2027-02-28T00:00:00.000Z", occurrences_executed: 1 });
    const two = afterRun(monthly, one);
    expect(two).toEqual({ status: "completed", next_run_at: null, occurrences_executed: 2 });
    expect(isDue(two, Date.parse("2030-01-01T00:00:00Z"))).toBe(false);
  });

  it("a one-off schedule completes after its run", () => {
    const once = terms("2027-01-01T00:00:00.000Z", null);
    expect(afterRun(once, initialProgress(once))).toEqual({ status: "completed", next_run_at: null, occurrences_executed: 1 });
  });

  it("cancel stops an active schedule, repeats harmlessly, and refuses a completed one", () => {
    const p = initialProgress(monthly);
    const c = cancelProgress(p);
    expect(c).toEqual({ ok: true, progress: { status: "cancelled", next_run_at: null, occurrences_executed: 0 } });
    if (!c.ok) throw new Error("unreachable");
    expect(cancelProgress(c.progress)).toEqual(c);
    expect(isDue(c.progress, Date.parse("2030-01-01T00:00:00Z"))).toBe(false);
    expect(cancelProgress({ status: "completed", next_run_at: null, occurrences_executed: 2 })).toEqual({ ok: false, code: "conflict" });
  });

  it("a run claimed before a cancel is counted and the schedule stays cancelled", () => {
    const cancelled: ScheduleProgress = { status: "cancelled", next_run_at: null, occurrences_executed: 0 };
    expect(afterRun(monthly, cancelled)).toEqual({ status: "cancelled", next_run_at: null, occurrences_executed: 1 });
  });
});

describe("new terms", () => {
  const now = Date.parse("2027-01-01T12:00:00.000Z");

  it("allows a start up to 60 s in the past and refuses one further back", () => {
    expect(termsProblems(terms("2027-01-01T11:59:00.000Z", null), now)).toEqual([]);
    expect(termsProblems(terms("2027-01-01T11:58:59.999Z", null), now)).toEqual([{ path: "start_at", message: "must not be in the past" }]);
  });

  it("refuses an end_at that is not after start_at", () => {
    const start = "2027-02-01T00:00:00.000Z";
    expect(termsProblems(terms(start, { unit: "day", count: 1 }, { end_at: start }), now)).toEqual([
      { path: "end_at", message: "must be after start_at" },
    ]);
    expect(termsProblems(terms(start, { unit: "day", count: 1 }, { end_at: "2027-02-01T00:00:00.001Z" }), now)).toEqual([]);
  });

  it("writes instants in UTC with milliseconds", () => {
    expect(normalizeInstant("2027-01-31T10:00:00+01:00")).toBe("2027-01-31T09:00:00.000Z");
  });
});

describe("an occurrence's payment", () => {
  it("derives the same payment id and key from the same schedule and time, and different ones otherwise", () => {
    const a = occurrencePaymentId("sch_1", "2027-01-31T00:00:00.000Z");
    expect(a).toMatch(/^pay_[0-9a-z]{26}$/);
    expect(occurrencePaymentId("sch_1", "2027-01-31T00:00:00.000Z")).toBe(a);
    expect(occurrencePaymentId("sch_1", "2027-02-28T00:00:00.000Z")).not.toBe(a);
    expect(occurrencePaymentId("sch_2", "2027-01-31T00:00:00.000Z")).not.toBe(a);
    expect(occurrenceKey("sch_1", "2027-01-31T00:00:00.000Z")).toBe("sch_1:2027-01-31T00:00:00.000Z");
    // Ids sort by the occurrence time.
    expect(derivedId("pay", 1000, "x") < derivedId("pay", 2000, "a")).toBe(true);
  });

  it("fingerprints ignore field order and change with any field", () => {
    const f = occurrenceFingerprint({ amount: 1, currency: "EUR" });
    expect(occurrenceFingerprint({ currency: "EUR", amount: 1 })).toBe(f);
    expect(occurrenceFingerprint({ currency: "EUR", amount: 2 })).not.toBe(f);
  });

  it("records a payment or its refusal, and tries a payment still in flight again", () => {
    const payment = { id: "pay_x" } as never;
    expect(runVerdict({ ok: true, payment })).toEqual({ status: "completed", payment_id: "pay_x" });
    for (const code of ["insufficient_funds", "account_closed", "currency_mismatch", "not_found"] as const)
      expect(runVerdict({ ok: false, code, detail: "" })).toEqual({ status: "failed", failure_code: code });
    expect(runVerdict({ ok: false, code: "idempotency_request_in_progress", detail: "busy" })).toEqual({ status: "retry", reason: "busy" });
  });
});
