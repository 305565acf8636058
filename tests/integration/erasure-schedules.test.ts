// DELETE /v1/users/me and the user's scheduled payments: every schedule ends cancelled, its description
// gone from the object and from D1, and no occurrence runs (nor any event is emitted) afterwards, even
// when the deletion is retried or a schedule is created while the deletion runs.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { TestSchedule } from "../worker";
import { api, between, createAccount, createUser, expectProblem } from "./support";

const schedule = (id: string) => {
  const ns = env.SCHEDULES as unknown as DurableObjectNamespace;
  return ns.get(ns.idFromName(id)) as unknown as TestSchedule & DurableObjectStub;
};
const create = (token: string, json: unknown) => api("/v1/scheduled-payments", { method: "POST", token, json });
const deleteMe = (token: string) => api("/v1/users/me", { method: "DELETE", token });
const fund = async (token: string, account: string, amount: number) =>
  expect((await api(`/v1/accounts/${account}/transactions`, { method: "POST", token, json: { amount, description: "in" } })).status).toBe(
    201,
  );
const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 50 });

/** Every table of the schedule object's own SQLite storage, as lower-cased JSON text. */
const objectText = (id: string) =>
  runInDurableObject(schedule(id), (_instance, state) => {
    const sql = state.storage.sql;
    const dump: Record<string, unknown[]> = {};
    for (const { name } of sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 4) <> '_cf_'").toArray())
      dump[name as string] = sql.exec(`SELECT * FROM "${name}"`).toArray();
    return JSON.stringify(dump).toLowerCase();
  });
const objectRow = (id: string) =>
  runInDurableObject(schedule(id), (_instance, state) => state.storage.sql.exec("SELECT * FROM schedule").toArray()[0]);
const runsOf = (id: string) =>
  runInDurableObject(schedule(id), (_instance, state) => state.storage.sql.exec("SELECT * FROM runs ORDER BY occurrence_at").toArray());
const d1Row = (id: string) => env.DB.prepare("SELECT * FROM scheduled_payments WHERE id = ?").bind(id).first<Record<string, unknown>>();
const d1Events = async (userId: string) =>
  (await env.DB.prepare("SELECT id, type FROM events WHERE user_id = ?").bind(userId).all()).results;

/** The clock moves far ahead and the alarm (if any is left) runs: nothing may be paid. */
async function monthsLater(id: string, at = "2027-09-01T00:00:00Z") {
  await schedule(id).setClock(at);
  await runDurableObjectAlarm(schedule(id));
}

/** A payer with a funded EUR account and a payee's account. */
async function parties() {
  const payer = await createUser();
  const payee = await createUser();
  const src = await createAccount(payer.id);
  const dst = await createAccount(payee.id);
  await fund(payer.token, src, 100_000);
  return { payer, payee, src, dst };
}

describe("DELETE /v1/users/me and scheduled payments", () => {
  it("cancels an active monthly schedule and erases its description (object and D1); no occurrence runs afterwards", async () => {
    const MARK = `Sx${crypto.randomUUID().slice(0, 8)}`;
    const { payer, payee, src, dst } = await parties();
    const terms = between(src, dst, { amount: 1_000 });
    const monthly = (
      await create(payer.token, {
        ...terms,
        description: `${MARK} rent`,
        start_at: "2027-01-31T08:00:00Z",
        interval: { unit: "month", count: 1 },
      })
    ).body;
    const once = (await create(payer.token, { ...terms, description: `${MARK} once`, start_at: "2027-01-15T08:00:00Z" })).body;
    expect([monthly.status, once.status]).toEqual(["active", "active"]);
    // The one-off runs (completed), the monthly one once: both have runs, events and a D1 row.
    for (const [id, at] of [
      [once.id, "2027-01-15T08:00:00Z"],
      [monthly.id, "2027-01-31T08:00:00Z"],
    ]) {
      await schedule(id).setClock(at);
      expect(await runDurableObjectAlarm(schedule(id))).toBe(true);
    }
    await eventually(async () => {
      expect((await d1Row(monthly.id))?.occurrences_executed).toBe(1);
      expect((await d1Row(once.id))?.status).toBe("completed");
    });
    const published = await schedule(monthly.id).publishedEvents();
    expect(published).toHaveLength(1);
    const pays = await schedule(monthly.id).paysStarted();

    const res = await deleteMe(payer.token);
    expect(res.status, res.text).toBe(204);

    for (const id of [monthly.id, once.id]) {
      expect(await objectText(id)).not.toContain(MARK.toLowerCase());
      expect(JSON.stringify(await d1Row(id)).toLowerCase()).not.toContain(MARK.toLowerCase());
    }
    expect(await objectRow(monthly.id)).toMatchObject({
      status: "cancelled",
      next_run_at: null,
      description: null,
      occurrences_executed: 1,
    });
    expect(await d1Row(monthly.id)).toMatchObject({ status: "cancelled", next_run_at: null, description: null, occurrences_executed: 1 });
    // A completed schedule stays completed (its history is the ledger's), only its words go.
    expect(await objectRow(once.id)).toMatchObject({ status: "completed", description: null });
    expect(await d1Row(once.id)).toMatchObject({ status: "completed", description: null });
    expect(await schedule(monthly.id).outboxSize()).toBe(0);

    // Months pass: no occurrence runs, nothing is paid, no event is emitted.
    const payeeBalance = (await api(`/v1/accounts/${dst}/balance`, { token: payee.token })).body.current;
    for (const id of [monthly.id, once.id]) await monthsLater(id);
    expect(await runsOf(monthly.id)).toHaveLength(1);
    expect(await schedule(monthly.id).paysStarted()).toBe(pays);
    expect(await schedule(monthly.id).publishedEvents()).toEqual(published);
    expect(await d1Events(payer.id)).toEqual([]);
    expect((await api(`/v1/accounts/${dst}/balance`, { token: payee.token })).body.current).toBe(payeeBalance);

    // The object's erasure again (a retried deletion reaches it again): the same state, no error.
    expect(await schedule(monthly.id).eraseForDeletion(payer.id)).toEqual({ ok: true });
    expect(await objectRow(monthly.id)).toMatchObject({ status: "cancelled", description: null });
    // Nobody else's call erases it.
    expect(await schedule(monthly.id).eraseForDeletion(payee.id)).toEqual({ ok: false, code: "not_found" });
  });

  it("answers 503 while a schedule's outbox cannot drain, the user stays active, and the retried deletion finishes", async () => {
    const MARK = `Sy${crypto.randomUUID().slice(0, 8)}`;
    const { payer, src, dst } = await parties();
    const s = (
      await create(
        payer.token,
        between(src, dst, {
          amount: 500,
          description: `${MARK} weekly`,
          start_at: "2027-02-01T00:00:00Z",
          interval: { unit: "week", count: 1 },
        }),
      )
    ).body;
    await eventually(async () => expect(await d1Row(s.id)).toBeTruthy());
    // The run's event reaches D1, the queue refuses it: it waits in the object's outbox.
    await schedule(s.id).injectFault("queue_down", 1_000);
    await schedule(s.id).setClock("2027-02-01T00:00:00Z");
    expect(await runDurableObjectAlarm(schedule(s.id))).toBe(true);
    expect(await schedule(s.id).outboxSize()).toBeGreaterThan(0);

    expectProblem(await deleteMe(payer.token), 503, "service_unavailable");
    expect((await api("/v1/users/me", { token: payer.token })).body.status).toBe("active");
    // Cancelled already: nothing runs while the user retries.
    expect(await objectRow(s.id)).toMatchObject({ status: "cancelled", description: null });

    await schedule(s.id).injectFault("queue_down", 0);
    const retried = await deleteMe(payer.token);
    expect(retried.status, retried.text).toBe(204);
    expect(await schedule(s.id).outboxSize()).toBe(0);
    expect(await objectText(s.id)).not.toContain(MARK.toLowerCase());
    expect(await d1Row(s.id)).toMatchObject({ status: "cancelled", description: null });
    expect(await d1Events(payer.id)).toEqual([]);
    await monthsLater(s.id);
    expect(await runsOf(s.id)).toHaveLength(1);
  });

  it("a schedule the deletion did not list (created as it ran) cancels and erases itself at its first run, with no event", async () => {
    const MARK = `Sz${crypto.randomUUID().slice(0, 8)}`;
    const { payer, src, dst } = await parties();
    expect((await deleteMe(payer.token)).status).toBe(204);
    // What a create whose account check passed just before the accounts closed leaves behind: the object,
    // created after the deletion listed the user's schedules.
    const id = `sch_${"0".repeat(10)}${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    const created = await schedule(id).create(
      {
        id,
        user_id: payer.id,
        source_account_id: src,
        destination_account_id: dst,
        amount: 700,
        currency: "EUR",
        description: `${MARK} late`,
        start_at: "2027-03-01T00:00:00.000Z",
        interval: { unit: "month", count: 1 },
        end_at: null,
        max_occurrences: null,
      },
      null,
    );
    expect(created).toMatchObject({ replayed: false });
    await eventually(async () => expect(await d1Row(id)).toBeTruthy());

    await schedule(id).setClock("2027-03-01T00:00:00Z");
    expect(await runDurableObjectAlarm(schedule(id))).toBe(true);
    await eventually(async () => expect(await schedule(id).outboxSize()).toBe(0));
    expect(await objectRow(id)).toMatchObject({ status: "cancelled", next_run_at: null, description: null });
    expect(await objectText(id)).not.toContain(MARK.toLowerCase());
    expect(await d1Row(id)).toMatchObject({ status: "cancelled", description: null });
    expect(await schedule(id).publishedEvents()).toEqual([]);
    expect(await d1Events(payer.id)).toEqual([]);
    await monthsLater(id);
    expect(await runsOf(id)).toHaveLength(1);
  });

  it("creates racing the deletion: every schedule that was created ends cancelled and erased", async () => {
    const MARK = `Sw${crypto.randomUUID().slice(0, 8)}`;
    const { payer, src, dst } = await parties();
    const body = (n: number) =>
      between(src, dst, {
        amount: 100 + n,
        description: `${MARK} ${n}`,
        start_at: "2027-04-01T00:00:00Z",
        interval: { unit: "month", count: 1 },
      });
    const answers = await Promise.all([
      create(payer.token, body(1)),
      create(payer.token, body(2)),
      deleteMe(payer.token),
      create(payer.token, body(3)),
      create(payer.token, body(4)),
    ]);
    expect(answers[2].status, answers[2].text).toBe(204);
    const ids = answers.filter((a, i) => i !== 2 && a.status === 201).map((a) => a.body.id as string);
    for (const [i, a] of answers.entries()) if (i !== 2 && a.status !== 201) expect([401, 422]).toContain(a.status);
    for (const id of ids) {
      // Listed by the deletion (cancelled already, no alarm left) or not (its first run finds the owner deleted).
      await schedule(id).setClock("2027-04-01T00:00:00Z");
      await runDurableObjectAlarm(schedule(id));
      await eventually(async () => expect(await schedule(id).outboxSize()).toBe(0));
      expect(await objectRow(id)).toMatchObject({ status: "cancelled", description: null });
      expect(await objectText(id)).not.toContain(MARK.toLowerCase());
      expect(await d1Row(id)).toMatchObject({ status: "cancelled", description: null });
      expect(await schedule(id).publishedEvents()).toEqual([]);
    }
    expect(await d1Events(payer.id)).toEqual([]);
  });
});
