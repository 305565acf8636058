// Scheduled payments over real HTTP against the real stack: a one-off schedule runs on time by its
// object's alarm and moves the money once, its event reaches the events API and a webhook receiver;
// bad terms, foreign ids and cancel.
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, register, scheduleBody } from "./helpers";

let alice = "";
let bob = "";
const post = (p: string, json: unknown, token = alice, headers: Record<string, string> = {}) =>
  call(p, { method: "POST", json, token, headers });

async function account(token: string, currency = "EUR") {
  const res = await post("/v1/accounts", { name: "Main", type: "checking", currency }, token);
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

const balance = async (token: string, id: string) => (await call(`/v1/accounts/${id}/balance`, { token })).body.current as number;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A local webhook receiver: the event bodies it was sent. */
const received: { type: string; data: { object: unknown } }[] = [];
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    try {
      received.push(JSON.parse(body));
    } catch {}
    res.writeHead(204).end();
  });
});

beforeAll(async () => {
  alice = await register("alice");
  bob = await register("bob");
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

describe("scheduled payments over HTTP", () => {
  it("runs a one-off schedule within 5 s of its time: the money moves once, the run names its payment, its event reaches the events API and a webhook", async () => {
    const src = await account(alice);
    const dst = await account(bob);
    expect((await post(`/v1/accounts/${src}/transactions`, { amount: 10_000, description: "salary" })).status).toBe(201);
    const { port } = receiver.address() as { port: number };
    const hook = await post("/v1/webhooks/endpoints", { url: `http://127.0.0.1:${port}/hook`, events: ["scheduled_payment.executed"] });
    expect(hook.status, hook.text).toBe(201);
    const startAt = Date.now() + 2_000;
    const created = await post(
      "/v1/scheduled-payments",
      scheduleBody({ source: src, destination: dst, amount: 2_500, startAt, description: "Once" }),
      alice,
      { "Idempotency-Key": crypto.randomUUID() },
    );
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ status: "active", occurrences_executed: 0, interval: null });
    const id = created.body.id as string;

    let view = (await call(`/v1/scheduled-payments/${id}`, { token: alice })).body;
    while (view.status === "active" && Date.now() < startAt + 5_000) {
      await sleep(200);
      view = (await call(`/v1/scheduled-payments/${id}`, { token: alice })).body;
    }
    expect(Date.now()).toBeLessThan(startAt + 5_000 + 1_000);
    expect(view).toMatchObject({ status: "completed", occurrences_executed: 1, next_run_at: null });
    expect(view.runs).toEqual([
      {
        occurrence_at: new Date(startAt).toISOString(),
        status: "completed",
        payment_id: expect.stringMatching(/^pay_/),
        failure_code: null,
      },
    ]);
    expect(await balance(alice, src)).toBe(7_500);
    expect(await balance(bob, dst)).toBe(2_500);
    const payment = await call(`/v1/payments/${view.runs[0].payment_id}`, { token: bob });
    expect(payment.body).toMatchObject({ status: "completed", amount: 2_500, description: "Once", source_account_id: src });
    // Still once a moment later.
    await sleep(1_000);
    expect(await balance(bob, dst)).toBe(2_500);
    expect((await call(`/v1/accounts/${src}/verify`, { token: alice })).body).toMatchObject({ entries: 2, valid: true });

    // The run's event: in the events API and delivered to the endpoint, with the run as its object.
    const object = { schedule_id: id, ...view.runs[0] };
    let events: { type: string; data: { object: unknown } }[] = [];
    for (let i = 0; i < 50 && !(events.length && received.length); i++) {
      if (i) await sleep(200);
      events = (await call("/v1/events?type=scheduled_payment.executed", { token: alice })).body.data;
    }
    expect(events).toMatchObject([{ type: "scheduled_payment.executed", data: { object } }]);
    expect(received).toMatchObject([{ type: "scheduled_payment.executed", data: { object } }]);
  });

  it("refuses bad terms (422) and foreign or missing accounts (404), and hides other users' schedules", async () => {
    const src = await account(alice);
    const dst = await account(bob);
    const base = scheduleBody({ source: src, destination: dst, amount: 100, startAt: Date.now() + 3_600_000 });
    for (const [json, path] of [
      [{ ...base, start_at: new Date(Date.now() - 120_000).toISOString() }, "start_at"],
      [{ ...base, interval: { unit: "fortnight", count: 1 } }, "interval.unit"],
      [{ ...base, interval: { unit: "month", count: 366 } }, "interval.count"],
      [{ ...base, interval: { unit: "month", count: 1 }, end_at: "2020-01-01T00:00:00Z" }, "end_at"],
      [{ ...base, max_occurrences: 0 }, "max_occurrences"],
      [{ ...base, surprise: true }, "surprise"],
    ] as const) {
      const problem = expectProblem(await post("/v1/scheduled-payments", json), 422, "validation_failed");
      expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expectProblem(await post("/v1/scheduled-payments", base, bob), 404, "not_found");
    expectProblem(await post("/v1/scheduled-payments", { ...base, destination_account_id: "acc_missing" }), 404, "not_found");
    expectProblem(await post("/v1/scheduled-payments", { ...base, currency: "USD" }), 422, "currency_mismatch");

    const mine = await post("/v1/scheduled-payments", base);
    expect(mine.status).toBe(201);
    expectProblem(await call(`/v1/scheduled-payments/${mine.body.id}`, { token: bob }), 404, "not_found");
    expectProblem(await post(`/v1/scheduled-payments/${mine.body.id}/cancel`, undefined, bob), 404, "not_found");
    expectProblem(await call("/v1/scheduled-payments/sch_unknown", { token: alice }), 404, "not_found");
    const theirs = (await call("/v1/scheduled-payments", { token: bob })).body.data.map((s: { id: string }) => s.id);
    expect(theirs).not.toContain(mine.body.id);
  });

  it("cancel stops a recurring schedule at once and the list follows", async () => {
    const src = await account(alice);
    const dst = await account(bob);
    const created = await post(
      "/v1/scheduled-payments",
      scheduleBody({
        source: src,
        destination: dst,
        amount: 100,
        startAt: Date.now() + 3_600_000,
        interval: { unit: "week", count: 2 },
        max_occurrences: 10,
      }),
    );
    expect(created.status).toBe(201);
    const res = await post(`/v1/scheduled-payments/${created.body.id}/cancel`, undefined);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.body.id, status: "cancelled", next_run_at: null, occurrences_executed: 0 });
    expect((await call(`/v1/scheduled-payments/${created.body.id}`, { token: alice })).body).toMatchObject({
      status: "cancelled",
      runs: [],
    });
    let listed: { id: string; status: string } | undefined;
    for (let i = 0; i < 25 && listed?.status !== "cancelled"; i++) {
      if (i) await sleep(200);
      listed = (await call("/v1/scheduled-payments?limit=100", { token: alice })).body.data.find(
        (s: { id: string }) => s.id === created.body.id,
      );
    }
    expect(listed).toMatchObject({ status: "cancelled", next_run_at: null, interval: { unit: "week", count: 2 } });
  });
});
