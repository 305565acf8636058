import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ledgerStub, newId } from "#core";
import {
  ERASED,
  ERASE_ENTRY_SET,
  type ErasableEntry,
  eraseCounterpartyRows,
  eraseOwnRows,
  erasedCounterpartyDescription,
  erasedPaymentBody,
  erasedText,
  paymentLegDescription,
  sentPaymentTexts,
} from "./erasure";

const plain: ErasableEntry = {
  amount: -1250,
  description: "Ada's bakery",
  category: "groceries",
  counterparty: "Bakery Lovelace",
  notes: "for Charles",
  payment_id: null,
};

const CASES: ErasableEntry[] = [
  plain,
  { ...plain, category: "Ada's pets" }, // a category of the user's own
  { ...plain, counterparty: null, notes: null, amount: 99 },
  { ...plain, description: "Reversal of Ada's bakery", amount: 1250 },
  { amount: -1000, description: "flowers for Ada", category: "transfers", counterparty: "acc_PAYEE", notes: "xx", payment_id: "pay_1" },
  { amount: 1000, description: "flowers for Ada", category: "Ada's gifts", counterparty: "acc_PAYER", notes: null, payment_id: "pay_2" },
  { amount: 5, description: "odd leg", category: "transfers", counterparty: null, notes: null, payment_id: "pay_3" },
];

describe("erasedText", () => {
  it("keeps nothing the user wrote: fixed text, taxonomy categories only, no counterparty or notes", () => {
    expect(erasedText(plain)).toEqual({ description: ERASED, category: "groceries", counterparty: null, notes: null });
    expect(erasedText({ ...plain, category: "Ada's pets" }).category).toBe("other");
  });

  it("words a payment leg as the ledger does for a payment without description, with the other account's id", () => {
    expect(erasedText(CASES[4])).toEqual({
      description: "Payment to acc_PAYEE",
      category: "transfers",
      counterparty: "acc_PAYEE",
      notes: null,
    });
    expect(erasedText(CASES[5])).toEqual({
      description: "Payment from acc_PAYER",
      category: "other",
      counterparty: "acc_PAYER",
      notes: null,
    });
    expect(paymentLegDescription(5, null)).toBe("Payment from another account");
  });

  it("is what ERASE_ENTRY_SET does in SQL", async () => {
    await env.DB.exec(
      "CREATE TABLE IF NOT EXISTS erase_probe (n INTEGER PRIMARY KEY, amount INTEGER NOT NULL, description TEXT NOT NULL, category TEXT NOT NULL, counterparty TEXT, notes TEXT, payment_id TEXT)",
    );
    await env.DB.batch(
      CASES.map((e, n) =>
        env.DB.prepare("INSERT INTO erase_probe VALUES (?, ?, ?, ?, ?, ?, ?)").bind(
          n,
          e.amount,
          e.description,
          e.category,
          e.counterparty,
          e.notes,
          e.payment_id,
        ),
      ),
    );
    await env.DB.prepare(`UPDATE erase_probe SET ${ERASE_ENTRY_SET}`).run();
    const rows = (await env.DB.prepare("SELECT description, category, counterparty, notes FROM erase_probe ORDER BY n").all()).results;
    expect(rows).toEqual(CASES.map(erasedText));
  });
});

describe("payment text", () => {
  it("drops the description from a stored payment state and keeps the rest", () => {
    const state = {
      id: "pay_1",
      amount: 10,
      description: "for Ada",
      failure: { code: "account_closed", detail: "The account is closed." },
    };
    expect(JSON.parse(erasedPaymentBody(JSON.stringify(state)))).toEqual({ ...state, description: null });
  });

  it("rewrites the payee's leg only while it still holds the payer's words", () => {
    expect(erasedCounterpartyDescription({ amount: 10, description: "for Ada", counterparty: "acc_A" }, "for Ada")).toBe(
      "Payment from acc_A",
    );
    expect(erasedCounterpartyDescription({ amount: 10, description: "my own note", counterparty: "acc_A" }, "for Ada")).toBeNull();
  });
});

describe("on a ledger object's storage", () => {
  it("erases entries, payment states and idempotency records, and the chain still verifies", async () => {
    const id = newId("acc");
    const ledger = ledgerStub<any>(env.LEDGER as DurableObjectNamespace, id);
    await ledger.open({ id, user_id: "usr_x", currency: "EUR", overdraft_limit: null, created_at: new Date().toISOString() });
    const idem = { key: "usr_x:Ada-key", fingerprint: "f" };
    await ledger.record({
      amount: 5000,
      description: "Ada salary",
      category: "income",
      counterparty: "Ada's employer",
      notes: "Ada",
      occurred_at: "2026-01-01",
      external_id: "ref-1",
      idem,
    });
    await ledger.record({ amount: -20, description: "Ada cat food", category: "Ada pets", occurred_at: "2026-01-02" });
    const before = await ledger.verify();
    const payment = {
      id: "pay_test",
      state: "completed",
      body: JSON.stringify({ id: "pay_test", destination_account_id: "acc_B", description: "Ada's gift", amount: 1 }),
    };

    const dump = await runInDurableObject(ledger as DurableObjectStub, (_i, state) => {
      const sql = state.storage.sql;
      sql.exec(
        "INSERT INTO payments (id, state, body, idem, created_at, updated_at) VALUES (?, ?, ?, ?, 'x', 'x')",
        payment.id,
        payment.state,
        payment.body,
        JSON.stringify(idem),
      );
      const sent = sentPaymentTexts(sql);
      eraseOwnRows(sql);
      eraseOwnRows(sql); // idempotent
      return {
        sent,
        entries: sql.exec("SELECT description, category, counterparty, notes, external_id FROM entries ORDER BY version").toArray(),
        payments: sql.exec("SELECT body, idem FROM payments").toArray(),
        idempotency: sql.exec("SELECT count(*) AS n FROM idempotency").one().n,
      };
    });
    expect(dump.sent).toEqual([{ payment_id: "pay_test", destination_account_id: "acc_B", description: "Ada's gift" }]);
    expect(dump.entries).toEqual([
      { description: ERASED, category: "income", counterparty: null, notes: null, external_id: "ref-1" },
      { description: ERASED, category: "other", counterparty: null, notes: null, external_id: null },
    ]);
    expect(dump.payments).toEqual([
      { body: JSON.stringify({ id: "pay_test", destination_account_id: "acc_B", description: null, amount: 1 }), idem: null },
    ]);
    expect(dump.idempotency).toBe(0);
    expect(
      JSON.stringify({ ...dump, sent: null })
        .toLowerCase()
        .includes("ada"),
    ).toBe(false);
    expect(await ledger.verify()).toEqual(before);
    expect(before.valid).toBe(true);
  });

  it("once erased, stores neither a late patch nor a late Idempotency-Key of the owner", async () => {
    const id = newId("acc");
    const ledger = ledgerStub<any>(env.LEDGER as DurableObjectNamespace, id);
    await ledger.open({ id, user_id: "usr_z", currency: "EUR", overdraft_limit: null, created_at: new Date().toISOString() });
    const { entry } = await ledger.record({ amount: 700, description: "opening", category: "income", occurred_at: "2026-01-01" });
    expect(await ledger.closeForDeletion()).toEqual({ ok: true, sent: [] });
    expect(await ledger.erase()).toEqual({ ok: true });
    expect(await ledger.patch(entry.id, { notes: "Ada late note" })).toBeNull();
    const late = await ledger.record({
      amount: 1,
      description: "Ada late",
      category: "income",
      occurred_at: "2026-01-02",
      idem: { key: "usr_z:Ada-late", fingerprint: "f" },
    });
    expect(late.code).toBe("account_closed");
    const stored = await runInDurableObject(ledger as DurableObjectStub, (_i, state) =>
      JSON.stringify([
        state.storage.sql.exec("SELECT * FROM entries").toArray(),
        state.storage.sql.exec("SELECT * FROM idempotency").toArray(),
      ]),
    );
    expect(stored.toLowerCase()).not.toContain("ada");
    expect(await ledger.balance()).toMatchObject({ current: 700, status: "closed" });
  });

  it("rewrites a payee's legs that still carry a deleted payer's description", async () => {
    const id = newId("acc");
    const ledger = ledgerStub<any>(env.LEDGER as DurableObjectNamespace, id);
    await ledger.open({ id, user_id: "usr_y", currency: "EUR", overdraft_limit: null, created_at: new Date().toISOString() });
    await ledger.credit({ payment_id: "pay_a", amount: 10, currency: "EUR", description: "Ada's words", counterparty: "acc_ADA" });
    await ledger.credit({ payment_id: "pay_b", amount: 20, currency: "EUR", description: "Ada's other words", counterparty: "acc_ADA" });
    await ledger.patch((await ledger.snapshot()).entries[1].id, { description: "the payee's own words" });
    const changed = await runInDurableObject(ledger as DurableObjectStub, (_i, state) =>
      eraseCounterpartyRows(state.storage.sql, [
        { payment_id: "pay_a", destination_account_id: id, description: "Ada's words" },
        { payment_id: "pay_b", destination_account_id: id, description: "Ada's other words" },
        { payment_id: "pay_unknown", destination_account_id: id, description: "x" },
      ]),
    );
    expect(changed).toHaveLength(1);
    const entries = (await ledger.snapshot()).entries.map((e: any) => e.description);
    expect(entries).toEqual(["Payment from acc_ADA", "the payee's own words"]);
    expect((await ledger.verify()).valid).toBe(true);
  });
});
