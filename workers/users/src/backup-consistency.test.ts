import { describe, expect, it } from "vitest";
import type { ObjectDump } from "#core/object-backup";
import { accountManifest, knownIds, ledgerFacts, projectionRow, staleLedgers } from "./backup-consistency";

/** A ledger dump with the two tables the rules read. */
function ledger(
  entries: { id: string; version: number; amount: number; payment_id?: string; counterparty?: string }[],
  payments: { id: string; state: string; destination: string }[] = [],
): ObjectDump {
  return {
    format: 1,
    tables: [
      {
        name: "entries",
        sql: "",
        columns: ["version", "id", "amount", "payment_id", "counterparty", "hash"],
        rows: entries.map((e) => [e.version, e.id, e.amount, e.payment_id ?? null, e.counterparty ?? null, `h${e.version}`]),
      },
      {
        name: "payments",
        sql: "",
        columns: ["id", "state", "body"],
        rows: payments.map((p) => [p.id, p.state, JSON.stringify({ id: p.id, destination_account_id: p.destination })]),
      },
    ],
    indexes: [],
    kv: [],
    alarm: null,
  };
}

const facts = (dumps: Record<string, ObjectDump>) => new Map(Object.entries(dumps).map(([id, d]) => [id, ledgerFacts(id, d)]));

describe("backup consistency across objects", () => {
  it("accepts a settled payment seen on both sides and a reserved one not credited yet", () => {
    const l = facts({
      acc_a: ledger(
        [
          { id: "t1", version: 1, amount: 100 },
          { id: "t2", version: 2, amount: -30, payment_id: "pay_1" },
        ],
        [
          { id: "pay_1", state: "completed", destination: "acc_b" },
          { id: "pay_2", state: "reserved", destination: "acc_b" },
        ],
      ),
      acc_b: ledger([{ id: "t3", version: 1, amount: 30, payment_id: "pay_1", counterparty: "acc_a" }]),
    });
    expect(staleLedgers(l)).toEqual(new Set());
  });

  it("dumps the destination again when the source posted a payment the destination's dump has not credited", () => {
    const l = facts({
      acc_a: ledger(
        [{ id: "t2", version: 1, amount: -30, payment_id: "pay_1" }],
        [{ id: "pay_1", state: "completed", destination: "acc_b" }],
      ),
      acc_b: ledger([]),
    });
    expect(staleLedgers(l)).toEqual(new Set(["acc_b"]));
    // Also when the destination was never dumped.
    const only = facts({
      acc_a: ledger(
        [{ id: "t2", version: 1, amount: -30, payment_id: "pay_1" }],
        [{ id: "pay_1", state: "completed", destination: "acc_c" }],
      ),
    });
    expect(staleLedgers(only)).toEqual(new Set(["acc_c"]));
  });

  it("dumps the source again when a credit names a payment the source's dump does not know", () => {
    const l = facts({
      acc_a: ledger([]),
      acc_b: ledger([{ id: "t3", version: 1, amount: 30, payment_id: "pay_9", counterparty: "acc_a" }]),
    });
    expect(staleLedgers(l)).toEqual(new Set(["acc_a"]));
    // An erased counterparty names nobody: every ledger is dumped again.
    const erased = facts({
      acc_a: ledger([]),
      acc_b: ledger([{ id: "t3", version: 1, amount: 30, payment_id: "pay_9", counterparty: "Deleted user" }]),
    });
    expect(staleLedgers(erased)).toEqual(new Set(["acc_a", "acc_b"]));
  });

  it("keeps only the projection rows the dumps hold, and summarises each account", () => {
    const l = facts({
      acc_a: ledger(
        [
          { id: "t1", version: 1, amount: 100 },
          { id: "t2", version: 2, amount: -30, payment_id: "pay_1" },
        ],
        [{ id: "pay_1", state: "completed", destination: "acc_b" }],
      ),
    });
    const known = knownIds(l);
    expect(projectionRow("entries", { id: "t2" }, known)).toBe(true);
    expect(projectionRow("entries", { id: "t_newer" }, known)).toBe(false);
    expect(projectionRow("payments", { id: "pay_1" }, known)).toBe(true);
    expect(projectionRow("payments", { id: "pay_newer" }, known)).toBe(false);
    expect(projectionRow("users", { id: "usr_anyone" }, known)).toBe(true);
    expect(accountManifest(l)).toEqual({ acc_a: { entries: 2, version: 2, head_hash: "h2" } });
  });
});
