// DELETE /v1/users/me over real HTTP with an active monthly schedule: the schedule is cancelled before
// the deletion answers, its first occurrence (due seconds later) never runs, no money moves, and its
// description is in none of the stack's own SQLite files (D1 and every Durable Object).
import { describe, expect, it } from "vitest";
import { call, register, scheduleBody, storedText } from "./helpers";

const post = (p: string, json: unknown, token: string) => call(p, { method: "POST", json, token });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function account(token: string) {
  const res = await post("/v1/accounts", { name: "Main", type: "checking", currency: "EUR" }, token);
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

describe("DELETE /v1/users/me with a scheduled payment", () => {
  it("cancels the schedule: its occurrence never runs, no money moves, and its description is stored nowhere", async () => {
    const MARK = `Qs${crypto.randomUUID().slice(0, 8)}`;
    const leaving = await register("leaving");
    const payee = await register("payee");
    const src = await account(leaving);
    const dst = await account(payee);
    expect((await post(`/v1/accounts/${src}/transactions`, { amount: 50_000, description: "salary" }, leaving)).status).toBe(201);
    // Far enough ahead that a loaded machine finishes the deletion first (checked below), else the run is legitimate.
    const startAt = Date.now() + 15_000;
    const created = await post(
      "/v1/scheduled-payments",
      scheduleBody({
        source: src,
        destination: dst,
        amount: 1_500,
        startAt,
        description: `${MARK} rent`,
        interval: { unit: "month", count: 1 },
      }),
      leaving,
    );
    expect(created.status, created.text).toBe(201);
    // Projected to the list (the deletion reads it there).
    let listed: unknown[] = [];
    for (let i = 0; i < 50 && !listed.length; i++) {
      if (i) await sleep(100);
      listed = (await call("/v1/scheduled-payments", { token: leaving })).body.data;
    }
    expect(listed).toHaveLength(1);
    expect(storedText()).toContain(MARK.toLowerCase());

    const deleted = await call("/v1/users/me", { method: "DELETE", token: leaving });
    expect(deleted.status, deleted.text).toBe(204);
    expect(Date.now(), "the deletion answered after the occurrence's time").toBeLessThan(startAt);
    // The token is dead: a retried deletion and the schedule's GET are 401.
    expect((await call("/v1/users/me", { method: "DELETE", token: leaving })).status).toBe(401);
    expect((await call(`/v1/scheduled-payments/${created.body.id}`, { token: leaving })).status).toBe(401);

    // Past the occurrence's time, with the alarm's 5 s of slack: nothing ran.
    while (Date.now() < startAt + 6_000) await sleep(250);
    expect((await call(`/v1/accounts/${dst}/balance`, { token: payee })).body).toMatchObject({ current: 0, pending: 0, version: 0 });
    const stored = storedText();
    expect(
      stored.includes(MARK.toLowerCase()),
      `still stored: ${stored.slice(Math.max(0, stored.indexOf(MARK.toLowerCase()) - 300), stored.indexOf(MARK.toLowerCase()) + 80)}`,
    ).toBe(false);
  });
});
