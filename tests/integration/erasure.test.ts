// DELETE /v1/users/me through the composed gateway: the user's accounts close for incoming money, and
// nothing the user wrote stays readable in D1 or in any ledger object, while every hash chain verifies.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ledgerStub } from "#core";
import { auditLedger } from "../../workers/transactions/src/ledger/audit";
import { api, createAccount, createUser } from "./support";

const stub = (id: string) => ledgerStub<any>(env.LEDGER as DurableObjectNamespace, id);
const record = (token: string, account: string, json: unknown, idempotencyKey?: string) =>
  api(`/v1/accounts/${account}/transactions`, { method: "POST", token, json, idempotencyKey });
const pay = (token: string, json: unknown, key = crypto.randomUUID()) =>
  api("/v1/payments", { method: "POST", token, json, idempotencyKey: key });
const deleteMe = (token: string) => api("/v1/users/me", { method: "DELETE", token });

async function audit(ids: string[]) {
  const snapshots = await Promise.all(ids.map((id) => stub(id).snapshot()));
  const projection = (await env.DB.prepare("SELECT * FROM entries").all()).results.filter((r) => ids.includes(r.account_id as string));
  return auditLedger(snapshots, projection);
}

/** Every row of every D1 table, as lower-cased JSON text. */
async function wholeDatabase() {
  const tables = (
    await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 4) <> '_cf_'").all<{ name: string }>()
  ).results;
  const dump: Record<string, unknown[]> = {};
  for (const { name } of tables) dump[name] = (await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results;
  return JSON.stringify(dump).toLowerCase();
}

/** Every row of every table of one ledger object's own SQLite storage, as lower-cased JSON text. */
async function objectStorage(accountId: string) {
  return runInDurableObject(stub(accountId) as DurableObjectStub, (_instance, state) => {
    const sql = state.storage.sql;
    const tables = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 4) <> '_cf_'").toArray();
    const dump: Record<string, unknown[]> = {};
    for (const { name } of tables) dump[name as string] = sql.exec(`SELECT * FROM "${name}"`).toArray();
    return JSON.stringify(dump).toLowerCase();
  });
}

describe("DELETE /v1/users/me closes the user's accounts for incoming money", () => {
  it("refuses a payment to a deleted user's account with 422 account_closed and moves nothing", async () => {
    const payer = await createUser();
    const leaving = await createUser();
    const src = await createAccount(payer.id);
    const dst = await createAccount(leaving.id);
    const empty = await createAccount(leaving.id);
    expect((await record(payer.token, src, { amount: 10_000, description: "top up" })).status).toBe(201);
    expect((await record(leaving.token, dst, { amount: 2_500, description: "savings" })).status).toBe(201);

    expect((await deleteMe(leaving.token)).status).toBe(204);

    for (const to of [dst, empty]) {
      const refused = await pay(payer.token, {
        source_account_id: src,
        destination_account_id: to,
        amount: 700,
        currency: "EUR",
        description: "too late",
      });
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body.code).toBe("account_closed");
    }
    expect((await api(`/v1/accounts/${src}/balance`, { token: payer.token })).body).toMatchObject({
      current: 10_000,
      pending: 0,
      available: 10_000,
      version: 1,
    });
    // The remaining balance stays, frozen, in the closed account.
    expect(await stub(dst).balance()).toMatchObject({ current: 2_500, pending: 0, version: 1, status: "closed" });
    expect(await stub(empty).balance()).toMatchObject({ current: 0, version: 0, status: "closed" });
    const rows = (await env.DB.prepare("SELECT id, status, closed_at FROM accounts WHERE user_id = ?").bind(leaving.id).all<any>()).results;
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r).toMatchObject({ status: "closed", closed_at: expect.any(String) });
    expect(
      (await env.DB.prepare("SELECT count(*) AS n FROM entries WHERE account_id IN (?, ?) AND amount = 700").bind(src, dst).first<any>()).n,
    ).toBe(0);
    expect((await api("/v1/payments", { token: payer.token })).body.data).toEqual([]);
    expect(await audit([src, dst, empty])).toEqual([]);
  });

  it("settles a payment left in flight by an unreachable destination before closing, and refuses (409) while it cannot", async () => {
    const leaving = await createUser();
    const other = await createUser();
    const src = await createAccount(leaving.id);
    const dst = await createAccount(other.id);
    await record(leaving.token, src, { amount: 5_000, description: "top up" });
    // Every credit attempt fails for now: the payment stays reserved on the source.
    await stub(dst).injectCreditFailures(1_000);
    const stuck = await pay(
      leaving.token,
      { source_account_id: src, destination_account_id: dst, amount: 1_200, currency: "EUR" },
      "stuck-1",
    );
    expect(stuck.status).toBe(409);
    expect((await stub(src).balance()).pending).toBe(1_200);

    const refused = await deleteMe(leaving.token);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.code).toBe("conflict");
    expect((await api("/v1/users/me", { token: leaving.token })).body.status).toBe("active");

    // The destination answers again: the deletion now finishes the payment, then closes the account.
    await stub(dst).injectCreditFailures(0);
    expect((await deleteMe(leaving.token)).status).toBe(204);
    expect(await stub(src).balance()).toMatchObject({ current: 3_800, pending: 0, status: "closed" });
    expect((await api(`/v1/accounts/${dst}/balance`, { token: other.token })).body).toMatchObject({ current: 1_200, pending: 0 });
    expect(await audit([src, dst])).toEqual([]);
  });

  it("keeps every concurrent payment consistent with a concurrent deletion, in both directions", async () => {
    const leaving = await createUser();
    const other = await createUser();
    const mine = await createAccount(leaving.id);
    const theirs = await createAccount(other.id);
    await record(leaving.token, mine, { amount: 10_000, description: "top up" });
    await record(other.token, theirs, { amount: 10_000, description: "top up" });
    const out = Array.from({ length: 10 }, () =>
      pay(leaving.token, { source_account_id: mine, destination_account_id: theirs, amount: 100, currency: "EUR" }),
    );
    const inc = Array.from({ length: 10 }, () =>
      pay(other.token, { source_account_id: theirs, destination_account_id: mine, amount: 100, currency: "EUR" }),
    );
    const [deleted, ...results] = await Promise.all([deleteMe(leaving.token), ...out, ...inc]);
    expect(deleted.status).toBe(204);
    for (const r of results) expect([201, 401, 422], JSON.stringify(r.body)).toContain(r.status);
    const m = await stub(mine).balance();
    const t = await stub(theirs).balance();
    expect(m).toMatchObject({ pending: 0, status: "closed" });
    expect(t.pending).toBe(0);
    expect(m.current + t.current).toBe(20_000);
    expect(await audit([mine, theirs])).toEqual([]);
    const after = await pay(other.token, { source_account_id: theirs, destination_account_id: mine, amount: 1, currency: "EUR" });
    expect(after.body.code).toBe("account_closed");
  });
});

describe("DELETE /v1/users/me erases everything the user wrote", () => {
  it("leaves no marker text in D1 or in the ledger objects, and every chain still verifies", async () => {
    const MARK = `Zq${crypto.randomUUID().slice(0, 8)}`; // what the user writes, in many casings
    const mark = MARK.toLowerCase();
    const reg = await api("/v1/auth/register", {
      method: "POST",
      json: { email: `${mark}@example.org`, password: "a long and unusual passphrase", name: `${MARK} Lovelace` },
    });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const token = reg.body.access_token as string;
    const me = reg.body.user.id as string;
    const other = await createUser();
    const theirs = await createAccount(other.id);
    await record(other.token, theirs, { amount: 50_000, description: "their salary" });

    const acc = await api("/v1/accounts", { method: "POST", token, json: { name: `${MARK} main`, type: "checking", currency: "EUR" } });
    expect(acc.status).toBe(201);
    const mine = acc.body.id as string;
    expect(
      (await api("/v1/auth/clients", { method: "POST", token, json: { name: `${MARK} bookkeeping`, scopes: ["accounts:read"] } })).status,
    ).toBe(201);
    expect((await api("/v1/categories", { method: "POST", token, json: { name: `${MARK} pets`, parent: "other" } })).status).toBe(201);
    expect(
      (await api("/v1/categories/rules", { method: "POST", token, json: { contains: `${MARK} vet`, category: `${MARK} pets` } })).status,
    ).toBe(201);
    expect(
      (
        await api("/v1/budgets", {
          method: "POST",
          token,
          json: { category: `${MARK} pets`, amount: 5_000, currency: "EUR", period: "month" },
        })
      ).status,
    ).toBe(201);

    const salary = await record(
      token,
      mine,
      {
        amount: 200_000,
        description: `${MARK} salary`,
        category: "income",
        counterparty: `${MARK} employer`,
        notes: `${MARK} note`,
        external_id: "bank-ref-1",
      },
      `${MARK}-key-1`,
    );
    expect(salary.status, JSON.stringify(salary.body)).toBe(201);
    const vet = await record(token, mine, { amount: -3_000, description: `${MARK.toUpperCase()} VET CLINIC` }); // categorised by the rule
    expect(vet.body.category).toBe(`${MARK} pets`);
    expect((await api(`/v1/transactions/${vet.body.id}`, { method: "PATCH", token, json: { notes: `${MARK} the cat` } })).status).toBe(200);
    expect((await api(`/v1/transactions/${vet.body.id}/reverse`, { method: "POST", token })).status).toBe(201);
    const csv = [
      "date,amount,description,counterparty",
      `2026-01-02,-12.50,${MARK} bakery,${MARK} baker`,
      `${MARK}-not-a-date,-1.00,x,`,
    ].join("\n");
    const imported = await api(`/v1/accounts/${mine}/imports`, {
      method: "POST",
      token,
      body: csv,
      headers: { "content-type": "text/csv" },
    });
    expect(imported.body).toMatchObject({ imported: 1, failed: 1 });
    expect(JSON.stringify(imported.body.errors).toLowerCase()).toContain(mark);

    const sent = await pay(
      token,
      { source_account_id: mine, destination_account_id: theirs, amount: 1_000, currency: "EUR", description: `${MARK} for the flowers` },
      `${MARK}-pay-1`,
    );
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const received = await pay(other.token, {
      source_account_id: theirs,
      destination_account_id: mine,
      amount: 400,
      currency: "EUR",
      description: "their own words",
    });
    expect(received.status).toBe(201);

    // Before: the marker is everywhere.
    expect(await wholeDatabase()).toContain(mark);
    expect(await objectStorage(mine)).toContain(mark);
    expect(await objectStorage(theirs)).toContain(mark);

    expect((await deleteMe(token)).status).toBe(204);

    const db = await wholeDatabase();
    expect(db.includes(mark), `D1 still holds "${mark}": ${db.slice(Math.max(0, db.indexOf(mark) - 300), db.indexOf(mark) + 100)}`).toBe(
      false,
    );
    for (const id of [mine, theirs]) {
      const storage = await objectStorage(id);
      expect(
        storage.includes(mark),
        `${id} still holds "${mark}": ${storage.slice(Math.max(0, storage.indexOf(mark) - 300), storage.indexOf(mark) + 100)}`,
      ).toBe(false);
    }
    // The deleted user's copy of what the other user wrote is gone; the other user's own record keeps it.
    expect(await objectStorage(mine)).not.toContain("their own words");
    const theirList = (await api(`/v1/accounts/${theirs}/transactions`, { token: other.token })).body.data as any[];
    expect(theirList.find((t) => t.payment_id === received.body.id).description).toBe("their own words");
    expect(theirList.find((t) => t.payment_id === sent.body.id)).toMatchObject({
      amount: 1_000,
      description: `Payment from ${mine}`,
      counterparty: mine,
    });
    expect((await api(`/v1/payments/${sent.body.id}`, { token: other.token })).body).toMatchObject({
      amount: 1_000,
      status: "completed",
      description: null,
    });

    // Amounts, dates, versions and hashes are kept: every chain verifies and the ledger check agrees.
    expect(await stub(mine).verify()).toMatchObject({ entries: 6, valid: true });
    expect((await api(`/v1/accounts/${theirs}/verify`, { token: other.token })).body).toMatchObject({ entries: 3, valid: true });
    expect(await stub(mine).balance()).toMatchObject({ current: 200_000 - 3_000 + 3_000 - 1_250 - 1_000 + 400, status: "closed" });
    const kept = (
      await env.DB.prepare("SELECT user_id, version, amount, external_id FROM entries WHERE account_id = ? ORDER BY version")
        .bind(mine)
        .all<any>()
    ).results;
    expect(kept.map((r) => r.amount)).toEqual([200_000, -3_000, 3_000, -1_250, -1_000, 400]);
    expect(kept[0]).toMatchObject({ user_id: me, external_id: "bank-ref-1" });
    expect((await stub(mine).snapshot()).outbox).toBe(0);
    expect(await audit([mine, theirs])).toEqual([]);

    // Deleting twice is harmless: the token no longer works.
    expect((await deleteMe(token)).status).toBe(401);
  });

  it("lets no concurrent write of the user's bring text back into an erased account", async () => {
    const MARK = `Zr${crypto.randomUUID().slice(0, 8)}`;
    const mark = MARK.toLowerCase();
    const u = await createUser();
    const acc = await createAccount(u.id);
    const first = await record(u.token, acc, { amount: 10_000, description: "opening" });
    const writes = Array.from({ length: 30 }, (_, i) =>
      i % 2
        ? api(`/v1/transactions/${first.body.id}`, {
            method: "PATCH",
            token: u.token,
            json: { notes: `${MARK} ${i}`, description: `${MARK} ${i}` },
          })
        : record(u.token, acc, { amount: -1, description: `${MARK} ${i}` }, `${MARK}-${i}`),
    );
    const [deleted, ...results] = await Promise.all([deleteMe(u.token), ...writes]);
    expect(deleted.status).toBe(204);
    for (const r of results) expect([200, 201, 401, 404, 422], JSON.stringify(r.body)).toContain(r.status);
    const storage = await objectStorage(acc);
    expect(storage.includes(mark), storage.slice(Math.max(0, storage.indexOf(mark) - 200), storage.indexOf(mark) + 50)).toBe(false);
    const db = await wholeDatabase();
    expect(db.includes(mark), db.slice(Math.max(0, db.indexOf(mark) - 200), db.indexOf(mark) + 50)).toBe(false);
    expect(await audit([acc])).toEqual([]);
  });
});
