// Scheduled payments inside workerd: the routes through the gateway, and the schedule object's alarm
// driven with runDurableObjectAlarm while its clock (tests/worker.ts) is moved, so months pass at once.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { ledgerStub } from "#core";
import { occurrencePaymentId } from "../../workers/payments/src/schedule-policy";
import type { RunView, ScheduledPayment } from "../../workers/payments/src/scheduled-payment";
import type { ObjectDump } from "#core/object-backup";
import type { TestSchedule } from "../worker";
import { api, auditAccounts, between, createAccount, createUser, expectProblem } from "./support";

const schedule = (id: string) => {
  const ns = env.SCHEDULES as unknown as DurableObjectNamespace;
  return ns.get(ns.idFromName(id)) as unknown as TestSchedule & DurableObjectStub;
};
const ledger = (id: string) => ledgerStub(env.LEDGER as DurableObjectNamespace, id);

const create = (token: string, json: unknown, key?: string) =>
  api("/v1/scheduled-payments", { method: "POST", token, json, idempotencyKey: key });
const get = async (token: string, id: string) => (await api(`/v1/scheduled-payments/${id}`, { token })).body;
const cancel = (token: string, id: string) => api(`/v1/scheduled-payments/${id}/cancel`, { method: "POST", token });
const balance = async (token: string, account: string) => (await api(`/v1/accounts/${account}/balance`, { token })).body.current;
const fund = async (token: string, account: string, amount: number) =>
  expect((await api(`/v1/accounts/${account}/transactions`, { method: "POST", token, json: { amount, description: "in" } })).status).toBe(
    201,
  );

/** A payer with a funded account, and a payee's account. */
async function parties(funds = 100_000, currency = "EUR") {
  const payer = await createUser();
  const payee = await createUser();
  const src = await createAccount(payer.id, { currency });
  const dst = await createAccount(payee.id, { currency });
  if (funds) await fund(payer.token, src, funds);
  return { payer, payee, src, dst };
}

/** Schedules a payment from `src` to `dst` (EUR unless `terms` say otherwise); the new schedule. */
const scheduled = async (token: string, src: string, dst: string, terms: Record<string, unknown>) =>
  (await create(token, between(src, dst, terms))).body;

/** Waits for what the object does after its answer (projection, events); generous for a loaded machine. */
const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 50 });

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

/** Moves the schedule's clock to `at` and runs its alarm. */
async function runAt(id: string, at: string) {
  await schedule(id).setClock(at);
  expect(await runDurableObjectAlarm(schedule(id))).toBe(true);
}

/** The source's payment legs (debits), in ledger order. */
async function debits(account: string) {
  const snap = await ledger(account).snapshot();
  return snap.entries
    .filter((e: Record<string, unknown>) => e.payment_id && (e.amount as number) < 0)
    .map((e: Record<string, unknown>) => e.payment_id as string);
}

describe("creating a schedule", () => {
  it("answers the schedule, serves it with its runs, and projects it to the list", async () => {
    const { payer, src, dst } = await parties();
    const start = "2027-03-01T08:00:00+01:00";
    const res = await create(
      payer.token,
      between(src, dst, {
        amount: 1250,
        description: "Rent",
        start_at: start,
        interval: { unit: "month", count: 1 },
        end_at: "2027-12-31T23:59:59Z",
        max_occurrences: 12,
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^sch_[0-9a-z]{26}$/),
      status: "active",
      source_account_id: src,
      destination_account_id: dst,
      amount: 1250,
      currency: "EUR",
      description: "Rent",
      start_at: "2027-03-01T07:00:00.000Z",
      interval: { unit: "month", count: 1 },
      end_at: "2027-12-31T23:59:59.000Z",
      max_occurrences: 12,
      next_run_at: "2027-03-01T07:00:00.000Z",
      occurrences_executed: 0,
      created_at: expect.any(String),
    });
    expect(await get(payer.token, res.body.id)).toEqual({ ...res.body, runs: [] });
    await eventually(async () => {
      const list = await api("/v1/scheduled-payments", { token: payer.token });
      expect(list.body).toEqual({ data: [res.body], next_cursor: null });
    });
  });

  it("a one-off schedule has no interval, end or maximum", async () => {
    const { payer, src, dst } = await parties();
    const res = await create(
      payer.token,
      between(src, dst, {
        amount: 1,
        start_at: inAnHour(),
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ interval: null, end_at: null, max_occurrences: null, description: null, status: "active" });
  });

  it("refuses bad terms with 422 and the field, and writes nothing", async () => {
    const { payer, src, dst } = await parties();
    const base = { source_account_id: src, destination_account_id: dst, amount: 100, currency: "EUR", start_at: inAnHour() };
    const cases: [unknown, string][] = [
      [{ ...base, start_at: new Date(Date.now() - 61_000).toISOString() }, "start_at"],
      [{ ...base, start_at: "2027-01-01T10:00:00" }, "start_at"], // no zone
      [{ ...base, start_at: "2027-02-30T10:00:00Z" }, "start_at"],
      [{ ...base, start_at: "tomorrow" }, "start_at"],
      [{ ...base, interval: { unit: "hour", count: 1 } }, "interval.unit"],
      [{ ...base, interval: { unit: "day", count: 0 } }, "interval.count"],
      [{ ...base, interval: { unit: "day", count: 366 } }, "interval.count"],
      [{ ...base, interval: { unit: "day", count: 1.5 } }, "interval.count"],
      [{ ...base, interval: { unit: "day", count: 1, every: 2 } }, "interval.every"],
      [{ ...base, interval: { unit: "day", count: 1 }, end_at: base.start_at }, "end_at"],
      [{ ...base, interval: { unit: "day", count: 1 }, end_at: "2020-01-01T00:00:00Z" }, "end_at"],
      [{ ...base, max_occurrences: 0 }, "max_occurrences"],
      [{ ...base, amount: 0 }, "amount"],
      [{ ...base, amount: 1.5 }, "amount"],
      [{ ...base, currency: "eur" }, "currency"],
      [{ ...base, destination_account_id: src }, "destination_account_id"],
      [{ ...base, memo: "x" }, "memo"],
      [{ ...base, start_at: undefined }, "start_at"],
    ];
    for (const [json, path] of cases) {
      const res = await create(payer.token, json);
      const problem = expectProblem(res, 422, "validation_failed");
      expect(
        problem.errors?.map((e) => e.path),
        JSON.stringify(json),
      ).toContain(path);
    }
    expect((await api("/v1/scheduled-payments", { token: payer.token })).body.data).toEqual([]);
  });

  it("404 for a source that is not the caller's or does not exist, or a missing destination; 422 for another currency or a closed account", async () => {
    const { payer, payee, src, dst } = await parties();
    const base = { source_account_id: src, destination_account_id: dst, amount: 100, currency: "EUR", start_at: inAnHour() };
    expectProblem(await create(payee.token, base), 404, "not_found");
    expectProblem(await create(payer.token, { ...base, source_account_id: "acc_nope" }), 404, "not_found");
    expectProblem(await create(payer.token, { ...base, destination_account_id: "acc_nope" }), 404, "not_found");
    expectProblem(await create(payer.token, { ...base, currency: "USD" }), 422, "currency_mismatch");
    const usd = await createAccount(payee.id, { currency: "USD" });
    expectProblem(await create(payer.token, { ...base, destination_account_id: usd }), 422, "currency_mismatch");
    const closed = await createAccount(payee.id);
    expect((await ledger(closed).close()).ok).toBe(true);
    expectProblem(await create(payer.token, { ...base, destination_account_id: closed }), 422, "account_closed");
    expect((await api("/v1/scheduled-payments", { token: payer.token })).body.data).toEqual([]);
  });

  it("an Idempotency-Key replays the first answer, refuses another body, and makes one schedule under concurrent retries", async () => {
    const { payer, src, dst } = await parties();
    const body = { source_account_id: src, destination_account_id: dst, amount: 100, currency: "EUR", start_at: inAnHour() };
    const first = await create(payer.token, body, "sched-1");
    expect(first.status).toBe(201);
    const again = await create(payer.token, body, "sched-1");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expectProblem(await create(payer.token, { ...body, amount: 101 }, "sched-1"), 422, "idempotency_key_reused");

    const racing = await Promise.all(Array.from({ length: 6 }, () => create(payer.token, body, "sched-2")));
    expect(racing.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(new Set(racing.map((r) => r.body.id)).size).toBe(1);
    await eventually(async () => {
      const ids = (await api("/v1/scheduled-payments", { token: payer.token })).body.data.map((s: { id: string }) => s.id);
      expect(ids.sort()).toEqual([first.body.id, racing[0].body.id].sort());
    });
  });
});

describe("foreign and unknown ids", () => {
  it("answers 404 for another user's schedule, a missing one and a malformed id, on GET and cancel", async () => {
    const { payer, payee, src, dst } = await parties();
    const s = await create(
      payer.token,
      between(src, dst, {
        amount: 1,
        start_at: inAnHour(),
      }),
    );
    for (const id of [s.body.id, "sch_00000000000000000000000000", "nope", "x".repeat(300)]) {
      expectProblem(await api(`/v1/scheduled-payments/${id}`, { token: payee.token }), 404, "not_found");
      expectProblem(await cancel(payee.token, id), 404, "not_found");
    }
    expect((await get(payer.token, s.body.id)).status).toBe("active");
    expect((await api("/v1/scheduled-payments", { token: payee.token })).body.data).toEqual([]);
  });
});

describe("running occurrences", () => {
  it("monthly from Jan 31: Feb 28, Mar 31, Apr 30, each paid once, then completed", async () => {
    const { payer, payee, src, dst } = await parties(10_000);
    const s = await scheduled(payer.token, src, dst, {
      amount: 1000,
      description: "Monthly",
      start_at: "2027-01-31T09:00:00Z",
      interval: { unit: "month", count: 1 },
      max_occurrences: 4,
    });
    // Before its time the alarm runs nothing.
    await runAt(s.id, "2027-01-31T08:59:59Z");
    expect(await get(payer.token, s.id)).toMatchObject({ occurrences_executed: 0, runs: [] });

    const times = ["2027-01-31T09:00:00.000Z", "2027-02-28T09:00:00.000Z", "2027-03-31T09:00:00.000Z", "2027-04-30T09:00:00.000Z"];
    for (const [i, at] of times.entries()) {
      await runAt(s.id, at);
      const view = await get(payer.token, s.id);
      expect(view.occurrences_executed).toBe(i + 1);
      expect(view.next_run_at).toBe(times[i + 1] ?? null);
      expect(view.runs[0]).toEqual({
        occurrence_at: at,
        status: "completed",
        payment_id: occurrencePaymentId(s.id, at),
        failure_code: null,
      });
    }
    const done = await get(payer.token, s.id);
    expect(done).toMatchObject({ status: "completed", next_run_at: null, occurrences_executed: 4 });
    expect(done.runs.map((r: RunView) => r.occurrence_at)).toEqual([...times].reverse());
    expect(await balance(payer.token, src)).toBe(6000);
    expect(await balance(payee.token, dst)).toBe(4000);

    // Years later nothing more runs.
    await schedule(s.id).setClock("2031-01-01T00:00:00Z");
    await runDurableObjectAlarm(schedule(s.id));
    expect((await get(payer.token, s.id)).occurrences_executed).toBe(4);
    expect(await debits(src)).toEqual(times.map((t) => occurrencePaymentId(s.id, t)));
    // Each payment is an ordinary one: listed for both sides.
    const payment = await api(`/v1/payments/${occurrencePaymentId(s.id, times[1])}`, { token: payee.token });
    expect(payment.body).toMatchObject({ status: "completed", amount: 1000, description: "Monthly", source_account_id: src });
    expect(await auditAccounts([src, dst])).toEqual([]);
  });

  it("runs the occurrences missed while down when it is back, in order, and stops at end_at", async () => {
    const { payer, src, dst } = await parties(100_000);
    const s = await scheduled(payer.token, src, dst, {
      amount: 100,
      start_at: "2027-06-01T00:00:00Z",
      interval: { unit: "week", count: 1 },
      end_at: "2027-07-05T23:59:59Z",
    });
    // Six weeks later, one alarm: every occurrence up to end_at (Jun 1, 8, 15, 22, 29), oldest first.
    await runAt(s.id, "2027-07-13T12:00:00Z");
    const view = await get(payer.token, s.id);
    const expected = ["2027-06-01", "2027-06-08", "2027-06-15", "2027-06-22", "2027-06-29"].map((d) => `${d}T00:00:00.000Z`);
    expect(view).toMatchObject({ status: "completed", occurrences_executed: 5, next_run_at: null });
    expect(view.runs.map((r: RunView) => [r.occurrence_at, r.status])).toEqual([...expected].reverse().map((t) => [t, "completed"]));
    expect(await debits(src)).toEqual(expected.map((t) => occurrencePaymentId(s.id, t)));
    expect(await balance(payer.token, src)).toBe(100_000 - 500);
  });

  it("records a refused occurrence as failed with its code, moves nothing, and the next one still runs", async () => {
    const { payer, payee, src, dst } = await parties(1500);
    const s = await scheduled(payer.token, src, dst, {
      amount: 1000,
      start_at: "2027-01-10T00:00:00Z",
      interval: { unit: "day", count: 1 },
    });
    await runAt(s.id, "2027-01-10T00:00:00Z");
    await runAt(s.id, "2027-01-11T00:00:00Z");
    expect(await balance(payer.token, src)).toBe(500);
    await fund(payer.token, src, 1000);
    await runAt(s.id, "2027-01-12T00:00:00Z");
    const view = await get(payer.token, s.id);
    expect(view).toMatchObject({ status: "active", occurrences_executed: 3, next_run_at: "2027-01-13T00:00:00.000Z" });
    expect(view.runs).toEqual([
      { occurrence_at: "2027-01-12T00:00:00.000Z", status: "completed", payment_id: expect.stringMatching(/^pay_/), failure_code: null },
      { occurrence_at: "2027-01-11T00:00:00.000Z", status: "failed", payment_id: null, failure_code: "insufficient_funds" },
      { occurrence_at: "2027-01-10T00:00:00.000Z", status: "completed", payment_id: expect.stringMatching(/^pay_/), failure_code: null },
    ]);
    expect(await balance(payer.token, src)).toBe(500);
    expect(await balance(payee.token, dst)).toBe(2000);

    // Each run's event, in D1 with the run as its object (the queue gets the same records).
    await eventually(async () => {
      const rows = (
        await env.DB.prepare("SELECT id, user_id, type, data FROM events WHERE user_id = ? AND type LIKE 'scheduled_payment.%' ORDER BY id")
          .bind(payer.id)
          .all<{ id: string; type: string; data: string }>()
      ).results;
      expect(rows.map((r) => [r.type, JSON.parse(r.data).object])).toEqual(
        [...view.runs]
          .reverse()
          .map((r: RunView) => [
            r.status === "completed" ? "scheduled_payment.executed" : "scheduled_payment.failed",
            { schedule_id: s.id, ...r },
          ]),
      );
    });
    // The list follows the object.
    await eventually(async () => {
      const [row] = (await api("/v1/scheduled-payments", { token: payer.token })).body.data;
      expect(row).toMatchObject({ id: s.id, occurrences_executed: 3, next_run_at: "2027-01-13T00:00:00.000Z" });
    });
    expect(await auditAccounts([src, dst])).toEqual([]);
  });

  it("a closed destination or another currency at run time fails the occurrence with that code", async () => {
    const { payer, payee, src, dst } = await parties(10_000);
    const s = await scheduled(payer.token, src, dst, {
      amount: 100,
      start_at: "2027-01-10T00:00:00Z",
      interval: { unit: "day", count: 1 },
    });
    expect((await ledger(dst).close()).ok).toBe(true);
    await runAt(s.id, "2027-01-10T00:00:00Z");
    const view = await get(payer.token, s.id);
    expect(view.runs).toEqual([
      { occurrence_at: "2027-01-10T00:00:00.000Z", status: "failed", payment_id: null, failure_code: "account_closed" },
    ]);
    expect(view.status).toBe("active");
    expect(await balance(payer.token, src)).toBe(10_000);
    expect(await balance(payee.token, dst)).toBe(0);
  });
});

describe("events", () => {
  it("a run's event stays in the outbox until the queue takes it: in D1 once, published again by the alarm", async () => {
    const { payer, src, dst } = await parties(10_000);
    const s = await scheduled(payer.token, src, dst, {
      amount: 100,
      start_at: "2027-01-10T00:00:00Z",
      interval: { unit: "day", count: 1 },
    });
    const obj = schedule(s.id);
    await eventually(async () => expect(await obj.outboxSize()).toBe(0));
    await obj.injectFault("queue_down", 1);
    await runAt(s.id, "2027-01-10T00:00:00Z");
    const stored = async () =>
      (
        await env.DB.prepare("SELECT id FROM events WHERE user_id = ? AND type = 'scheduled_payment.executed'")
          .bind(payer.id)
          .all<{ id: string }>()
      ).results.map((r) => r.id);
    // D1 has it (the insert ran first); the queue refused it, so the outbox keeps it.
    await eventually(async () => expect(await stored()).toHaveLength(1));
    expect(await obj.publishedEvents()).toEqual([]);
    expect(await obj.outboxSize()).toBeGreaterThan(0);

    expect(await runDurableObjectAlarm(obj)).toBe(true);
    expect(await obj.publishedEvents()).toEqual(await stored());
    expect(await obj.outboxSize()).toBe(0);
    expect(await stored()).toHaveLength(1);
  });
});

describe("backup hooks", () => {
  it("exports the whole object and restores it, runs, progress and alarm included", async () => {
    const { payer, src, dst } = await parties(10_000);
    const s = await scheduled(payer.token, src, dst, {
      amount: 100,
      start_at: "2027-01-10T00:00:00Z",
      interval: { unit: "day", count: 1 },
    });
    const obj = schedule(s.id) as unknown as TestSchedule & {
      backupExport(): Promise<ObjectDump>;
      backupImport(dump: ObjectDump, replace?: boolean): Promise<{ ok: true }>;
    };
    await runAt(s.id, "2027-01-10T00:00:00Z");
    await eventually(async () => expect(await obj.outboxSize()).toBe(0));
    const before = await get(payer.token, s.id);
    const dump = await obj.backupExport();
    expect(dump.alarm).not.toBeNull();
    expect(dump.tables.map((t) => t.name)).toEqual(expect.arrayContaining(["schedule", "runs", "outbox"]));

    expect((await cancel(payer.token, s.id)).body.status).toBe("cancelled");
    // Never over live data unless asked to replace it.
    const refused = await runInDurableObject(schedule(s.id) as DurableObjectStub, (instance) =>
      (instance as unknown as ScheduledPayment).backupImport(dump).then(
        () => "imported",
        (e: Error) => e.message,
      ),
    );
    expect(refused).toMatch(/not empty/);
    expect(await obj.backupImport(dump, true)).toEqual({ ok: true });
    expect(await get(payer.token, s.id)).toEqual(before);
    // It goes on from where the dump was: the next day runs.
    await runAt(s.id, "2027-01-11T00:00:00Z");
    expect((await get(payer.token, s.id)).occurrences_executed).toBe(2);
    expect(await debits(src)).toHaveLength(2);
  });
});

describe("exactly once", () => {
  it("a reset between the payment and its run record re-runs the occurrence with the same key: one payment", async () => {
    const { payer, payee, src, dst } = await parties(10_000);
    const s = await scheduled(payer.token, src, dst, {
      amount: 700,
      start_at: "2027-05-01T00:00:00Z",
      interval: { unit: "month", count: 1 },
    });
    const at = "2027-05-01T00:00:00.000Z";
    await schedule(s.id).injectFault("reset_after_pay", 1);
    await schedule(s.id).setClock(at);
    await expect(runDurableObjectAlarm(schedule(s.id))).rejects.toThrow();
    // Paid, but the run is not recorded: the claim is all that is left.
    expect(await debits(src)).toEqual([occurrencePaymentId(s.id, at)]);
    expect(await get(payer.token, s.id)).toMatchObject({ occurrences_executed: 0, runs: [], next_run_at: at });

    // The alarm set before the run comes back and finishes it: the ledger replays the payment.
    expect(await runDurableObjectAlarm(schedule(s.id))).toBe(true);
    const view = await get(payer.token, s.id);
    expect(view).toMatchObject({ occurrences_executed: 1, next_run_at: "2027-06-01T00:00:00.000Z" });
    expect(view.runs).toEqual([{ occurrence_at: at, status: "completed", payment_id: occurrencePaymentId(s.id, at), failure_code: null }]);
    expect(await debits(src)).toEqual([occurrencePaymentId(s.id, at)]);
    expect(await balance(payer.token, src)).toBe(9300);
    expect(await balance(payee.token, dst)).toBe(700);
    expect(await auditAccounts([src, dst])).toEqual([]);
  });
});

describe("cancel after a reset mid-run", () => {
  it("finishes the claimed occurrence (a replay of its payment) before answering; nothing runs after", async () => {
    const { payer, payee, src, dst } = await parties(10_000);
    const s = await scheduled(payer.token, src, dst, {
      amount: 300,
      start_at: "2027-05-01T00:00:00Z",
      interval: { unit: "day", count: 1 },
    });
    const at = "2027-05-01T00:00:00.000Z";
    await schedule(s.id).injectFault("reset_after_pay", 1);
    await schedule(s.id).setClock("2027-05-03T12:00:00Z"); // three due; the first is paid, then the reset
    await expect(runDurableObjectAlarm(schedule(s.id))).rejects.toThrow();
    const res = await cancel(payer.token, s.id);
    expect(res.body).toMatchObject({ status: "cancelled", occurrences_executed: 1, next_run_at: null });
    expect((await get(payer.token, s.id)).runs).toEqual([
      { occurrence_at: at, status: "completed", payment_id: occurrencePaymentId(s.id, at), failure_code: null },
    ]);
    await runDurableObjectAlarm(schedule(s.id));
    expect((await get(payer.token, s.id)).occurrences_executed).toBe(1);
    expect(await debits(src)).toEqual([occurrencePaymentId(s.id, at)]);
    expect(await balance(payee.token, dst)).toBe(300);
  });
});

describe("cancel", () => {
  it("stops the schedule; a repeated cancel answers it again; nothing runs afterwards", async () => {
    const { payer, src, dst } = await parties(10_000);
    const s = await scheduled(payer.token, src, dst, {
      amount: 100,
      start_at: "2027-01-01T00:00:00Z",
      interval: { unit: "day", count: 1 },
    });
    await runAt(s.id, "2027-01-01T00:00:00Z");
    const res = await cancel(payer.token, s.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: s.id, status: "cancelled", next_run_at: null, occurrences_executed: 1 });
    expect((await cancel(payer.token, s.id)).body).toEqual(res.body);
    await schedule(s.id).setClock("2027-02-01T00:00:00Z");
    await runDurableObjectAlarm(schedule(s.id));
    expect(await get(payer.token, s.id)).toMatchObject({ status: "cancelled", occurrences_executed: 1 });
    expect(await debits(src)).toHaveLength(1);
    await eventually(async () => {
      expect((await api("/v1/scheduled-payments", { token: payer.token })).body.data[0]).toMatchObject({
        status: "cancelled",
        next_run_at: null,
      });
    });
  });

  it("a completed schedule cannot be cancelled (409)", async () => {
    const { payer, src, dst } = await parties(10_000);
    const s = await scheduled(payer.token, src, dst, {
      amount: 100,
      start_at: "2027-01-01T00:00:00Z",
    });
    await runAt(s.id, "2027-01-01T00:00:00Z");
    expect((await get(payer.token, s.id)).status).toBe("completed");
    expectProblem(await cancel(payer.token, s.id), 409, "conflict");
  });

  it("racing a run whose payment is under way: the cancel waits for it, answers it counted, and nothing runs after", async () => {
    const { payer, payee, src, dst } = await parties(10_000);
    const s = await scheduled(payer.token, src, dst, {
      amount: 100,
      start_at: "2027-01-01T00:00:00Z",
      interval: { unit: "day", count: 1 },
    });
    const obj = schedule(s.id);
    await obj.injectFault("hold_pay", 1);
    await obj.setClock("2027-01-03T12:00:00Z"); // three occurrences due
    const alarm = runDurableObjectAlarm(obj);
    await eventually(async () => expect(await obj.paysStarted()).toBe(1));
    const cancelled = cancel(payer.token, s.id);
    // The cancel is in (it has stopped the schedule) while the first payment is held.
    await eventually(async () => expect((await get(payer.token, s.id)).status).toBe("cancelled"));
    await obj.releasePay();
    const [answer] = await Promise.all([cancelled, alarm]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: "cancelled", occurrences_executed: 1, next_run_at: null });
    const view = await get(payer.token, s.id);
    expect(view.runs.map((r: RunView) => r.occurrence_at)).toEqual(["2027-01-01T00:00:00.000Z"]);
    await obj.setClock("2027-03-01T00:00:00Z");
    await runDurableObjectAlarm(obj);
    expect((await get(payer.token, s.id)).occurrences_executed).toBe(1);
    expect(await debits(src)).toHaveLength(1);
    expect(await balance(payee.token, dst)).toBe(100);
  });

  it("cancels landing anywhere in a backlog of runs: what the cancel answers is what was paid, then nothing more", async () => {
    for (let round = 0; round < 3; round++) {
      const { payer, payee, src, dst } = await parties(100_000);
      const s = await scheduled(payer.token, src, dst, {
        amount: 100,
        start_at: "2027-01-01T00:00:00Z",
        interval: { unit: "day", count: 1 },
      });
      await schedule(s.id).setClock("2027-01-20T12:00:00Z"); // twenty occurrences due
      const alarm = runDurableObjectAlarm(schedule(s.id));
      // Real concurrent calls: the cancel goes out while the alarm works through the backlog.
      for (let i = 0; i < round * 2; i++) await get(payer.token, s.id);
      const [answer] = await Promise.all([cancel(payer.token, s.id), alarm]);
      expect(answer.body.status).toBe("cancelled");
      const n = answer.body.occurrences_executed;
      const view = await get(payer.token, s.id);
      expect(view.runs).toHaveLength(n);
      await schedule(s.id).setClock("2027-03-01T00:00:00Z");
      await runDurableObjectAlarm(schedule(s.id));
      expect((await get(payer.token, s.id)).occurrences_executed).toBe(n);
      expect(await debits(src)).toHaveLength(n);
      expect(await balance(payee.token, dst)).toBe(100 * n);
    }
  });
});
