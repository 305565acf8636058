// DELETE /v1/users/me over real HTTP against the multi-worker stack: the user's accounts refuse money
// (422 account_closed), and nothing the user wrote is left in the stack's own SQLite files — D1 and every
// ledger object — while the hash chains and the offline ledger check still agree.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { call, expectProblem, register, storedText } from "./helpers";

const ROOT = path.resolve(import.meta.dirname, "../..");
const post = (p: string, json: unknown, token: string, headers: Record<string, string> = {}) =>
  call(p, { method: "POST", json, token, headers });

async function account(token: string, name = "Main") {
  const res = await post("/v1/accounts", { name, type: "checking", currency: "EUR" }, token);
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

describe("DELETE /v1/users/me over real HTTP", () => {
  it("closes the accounts for incoming money and leaves none of the user's words in any stored file", async () => {
    const MARK = `Qx${crypto.randomUUID().slice(0, 8)}`;
    const mark = MARK.toLowerCase();
    const leaving = await register(MARK); // name and email carry the marker
    const payer = await register("payer");
    const mine = await account(leaving, `${MARK} savings`);
    const theirs = await account(payer);
    expect((await post(`/v1/accounts/${theirs}/transactions`, { amount: 20_000, description: "salary" }, payer)).status).toBe(201);

    expect((await post("/v1/categories", { name: `${MARK} hobbies`, parent: "entertainment" }, leaving)).status).toBe(201);
    expect((await post("/v1/categories/rules", { contains: `${MARK} club`, category: `${MARK} hobbies` }, leaving)).status).toBe(201);
    const t = await post(
      `/v1/accounts/${mine}/transactions`,
      { amount: 9_000, description: `${MARK} bonus`, counterparty: `${MARK} employer`, notes: `${MARK} note` },
      leaving,
      { "idempotency-key": `${MARK}-1` },
    );
    expect(t.status, t.text).toBe(201);
    expect(
      (await post(`/v1/accounts/${mine}/transactions`, { amount: -500, description: `${MARK} CLUB fee` }, leaving)).body.category,
    ).toBe(`${MARK} hobbies`);
    const imported = await call(`/v1/accounts/${mine}/imports`, {
      method: "POST",
      token: leaving,
      body: `date,amount,description\n2026-02-01,-3.00,${MARK} kiosk\n${MARK},1,x\n`,
      headers: { "content-type": "text/csv" },
    });
    expect(imported.body, imported.text).toMatchObject({ imported: 1, failed: 1 });
    const sent = await post(
      "/v1/payments",
      { source_account_id: mine, destination_account_id: theirs, amount: 1_000, currency: "EUR", description: `${MARK} for the rent` },
      leaving,
      { "idempotency-key": `${MARK}-pay` },
    );
    expect(sent.status, sent.text).toBe(201);
    expect(storedText("d1")).toContain(mark);
    expect(storedText("do")).toContain(mark);

    expect((await call("/v1/users/me", { method: "DELETE", token: leaving })).status).toBe(204);

    const refused = await post(
      "/v1/payments",
      { source_account_id: theirs, destination_account_id: mine, amount: 700, currency: "EUR" },
      payer,
      { "idempotency-key": crypto.randomUUID() },
    );
    expectProblem(refused, 422, "account_closed");
    expect((await call(`/v1/accounts/${theirs}/balance`, { token: payer })).body).toMatchObject({
      current: 21_000,
      pending: 0,
      version: 2,
    });

    const list = (await call(`/v1/accounts/${theirs}/transactions`, { token: payer })).body.data as any[];
    expect(list.find((e) => e.payment_id === sent.body.id)).toMatchObject({
      amount: 1_000,
      description: `Payment from ${mine}`,
      counterparty: mine,
    });
    expect((await call(`/v1/payments/${sent.body.id}`, { token: payer })).body).toMatchObject({ status: "completed", description: null });
    expect((await call(`/v1/accounts/${theirs}/verify`, { token: payer })).body).toMatchObject({ entries: 2, valid: true });

    const stored = storedText();
    expect(stored.includes(mark), `still stored: ${stored.slice(Math.max(0, stored.indexOf(mark) - 300), stored.indexOf(mark) + 80)}`).toBe(
      false,
    );

    // Every chain, balance, payment pair and the projection still agree, read from the files themselves.
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/ledger-check.ts", inject("persistTo")],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(r.stdout, r.stdout + r.stderr).toContain("✓ balances");
    expect(r.status).toBe(0);
  });
});
