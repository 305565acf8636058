// The Projector object: every ledger's outbox drain hands it its batch after the answer, and it writes
// many accounts' batches per D1 transaction, then publishes their events. Concurrent writes on many
// accounts all land (and their events once each); a bad batch fails alone, the others it was grouped
// with still land. An account's writes answered within moments of its last send reach it together in the next.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ledgerStub } from "#core";
import type { TestLedger } from "../worker";
import type { ProjectorRpc } from "../../workers/transactions/src/ledger/projector";
import { PROJECTOR_NAME } from "../../workers/transactions/src/ledger/projector";
import { api, auditAccounts, createAccount, createUser, projected } from "./support";

const projector = () => {
  const ns = env.PROJECTOR as DurableObjectNamespace;
  return ns.get(ns.idFromName(PROJECTOR_NAME)) as unknown as ProjectorRpc;
};

const record = (token: string, account: string, amount: number) =>
  api(`/v1/accounts/${account}/transactions`, { method: "POST", token, json: { amount, description: "coffee", category: "dining" } });

describe("projector", () => {
  it("paces an account's drains: writes right after a send reach the projector together in the next", async () => {
    const u = await createUser();
    const account = await createAccount(u.id);
    const ledger = ledgerStub<TestLedger>(env.LEDGER as DurableObjectNamespace, account);
    expect((await record(u.token, account, 1)).status).toBe(201);
    await projected(account);
    const before = await ledger.projectionSends();
    // Unpaced, the first answer's drain would leave with its own row and the other two follow in a second send.
    const answers = await Promise.all([record(u.token, account, 900), record(u.token, account, -40), record(u.token, account, -2)]);
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201]);
    await projected(account);
    expect((await ledger.projectionSends()) - before).toBe(1);
    const row = await env.DB.prepare("SELECT balance_current AS current, balance_version AS version FROM accounts WHERE id = ?")
      .bind(account)
      .first<{ current: number; version: number }>();
    expect(row).toEqual({ current: 859, version: 4 });
  });

  it("projects concurrent writes on many accounts: every entry and balance in D1, each event once", async () => {
    const u = await createUser();
    const accounts = await Promise.all(Array.from({ length: 12 }, () => createAccount(u.id)));
    const answers = await Promise.all(
      accounts.flatMap((a) => [record(u.token, a, 500), record(u.token, a, -120), record(u.token, a, -30)]),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 201));
    expect(await auditAccounts(accounts)).toEqual([]);
    const balances = await env.DB.prepare(
      "SELECT balance_current AS current, balance_version AS version FROM accounts WHERE id IN (SELECT value FROM json_each(?))",
    )
      .bind(JSON.stringify(accounts))
      .all<{ current: number; version: number }>();
    expect(balances.results).toEqual(accounts.map(() => ({ current: 350, version: 3 })));
    const events = await env.DB.prepare(
      "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM events WHERE user_id = ? AND type = 'transaction.created'",
    )
      .bind(u.id)
      .first<{ n: number; ids: number }>();
    expect(events).toEqual({ n: answers.length, ids: answers.length });
  });

  it("fails a bad batch alone: the batches committed with it land, and the projector keeps working", async () => {
    const u = await createUser();
    const accounts = await Promise.all(Array.from({ length: 6 }, () => createAccount(u.id)));
    const bad = projector()
      .project({ stmts: [{ sql: "INSERT INTO no_such_table (x) VALUES (?)", params: [1] }], events: [] })
      .then(
        () => "committed",
        (e: unknown) => String(e),
      );
    const writes = Promise.all(accounts.map((a) => record(u.token, a, 700)));
    expect(await bad).toMatch(/no such table: no_such_table/);
    expect((await writes).map((r) => r.status)).toEqual(accounts.map(() => 201));
    expect(await auditAccounts(accounts)).toEqual([]);
    await projector().project({
      stmts: [{ sql: "UPDATE accounts SET name = ? WHERE id = ?", params: ["renamed by the projector", accounts[0]] }],
      events: [],
    });
    const row = await env.DB.prepare("SELECT name FROM accounts WHERE id = ?").bind(accounts[0]).first<{ name: string }>();
    expect(row?.name).toBe("renamed by the projector");
  });
});
