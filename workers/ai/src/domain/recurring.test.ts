// Every regular charge of a seeded salaried account (ai/synthetic/salaried.ts, not the training
// generator): weekly, monthly, quarterly, yearly, references that change every month, a missed and a
// shifted month.
import { describe, expect, it } from "vitest";
import { generateSalaried } from "../../../../ai/synthetic/salaried";
import type { HistoryTxn } from "./history";
import { detectRecurring, recommend } from "./recommendations";

const END = "2026-11-30";
const accounts = Array.from({ length: 12 }, (_, i) => generateSalaried({ seed: 8200 + i, end: END }));

describe("recurring charges", () => {
  it("finds every regular charge with its period and amount, and little else", () => {
    let falsePositives = 0;
    for (const a of accounts) {
      const found = detectRecurring(a.transactions, END);
      for (const g of a.regular) {
        const hit = found.find((r) => r.transaction_ids.some((id) => g.ids.includes(id)));
        expect(hit, `${g.merchant} ${g.period}`).toBeDefined();
        expect(hit!.period).toBe(g.period);
        expect(hit!.amount).toBe(g.amount);
        expect(hit!.transaction_ids.every((id) => g.ids.includes(id))).toBe(true);
        expect(hit!.transaction_ids.length).toBeGreaterThanOrEqual(0.8 * g.ids.length);
      }
      falsePositives += found.filter((r) => !a.regular.some((g) => r.transaction_ids.some((id) => g.ids.includes(id)))).length;
    }
    expect(falsePositives).toBeLessThanOrEqual(2);
  });

  it("names a charge whose reference changes every month by its stable part, with the next expected date", () => {
    const found = detectRecurring(accounts[0]!.transactions, END);
    const music = found.find((r) => r.merchant === "QOBUZ")!;
    const video = found.find((r) => r.merchant === "CINEPLUS")!;
    expect(music.period).toBe("monthly");
    expect(video.period).toBe("monthly");
    expect(music.next_date.slice(8)).toBe(music.last_date.slice(8));
    expect(music.next_date > music.last_date && music.next_date <= "2027-01-31").toBe(true);
  });

  it("two plain monthly charges with changing references come back as two subscription recommendations", () => {
    const txns: HistoryTxn[] = [];
    for (let m = 0; m < 24; m++) {
      const month = `${2025 + Math.floor((m + 0) / 12)}-${String((m % 12) + 1).padStart(2, "0")}`;
      txns.push({ id: `s${m}`, date: `${month}-07`, amount: -1349, description: `SPOTIFY P${m}A1B2C3`, category: "subscriptions" });
      if (m !== 9)
        txns.push({
          id: `n${m}`,
          date: `${month}-${m === 14 ? "21" : "18"}`,
          amount: -1799,
          description: `NETFLIX ${"QWXZRT".slice(m % 3)}KP`,
          category: "subscriptions",
        });
    }
    const recs = recommend(txns, { asOf: "2026-12-20" }).filter((r) => r.type === "subscription");
    expect(recs.map((r) => r.title).sort()).toEqual(["Monthly charge: NETFLIX", "Monthly charge: SPOTIFY"]);
    expect(recs.find((r) => r.title.endsWith("NETFLIX"))!.detail).toContain("next expected 2027-01-18");
    expect(recs.find((r) => r.title.endsWith("SPOTIFY"))!.evidence).toHaveLength(12);
  });

  it("ignores card spending at a shop, a seasonal bill and a cancelled subscription", () => {
    const txns: HistoryTxn[] = [];
    for (let d = 0; d < 700; d += 3) {
      const date = new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10);
      txns.push({ id: `c${d}`, date, amount: -(1800 + ((d * 7919) % 2400)), description: "CB LIDL 0412" });
    }
    for (let m = 0; m < 23; m++) {
      const date = new Date(Date.UTC(2025, m, 14)).toISOString().slice(0, 10);
      txns.push({
        id: `e${m}`,
        date,
        amount: -Math.round(6000 + 3000 * Math.cos((2 * Math.PI * m) / 12)),
        description: "PRLV EDF CLIENTS",
      });
      if (m < 8) txns.push({ id: `g${m}`, date, amount: -2999, description: "PRLV SEPA GYMPLUS" });
    }
    expect(detectRecurring(txns, "2026-12-01")).toEqual([]);
  });

  it("keeps a user's accounts apart: the same service charged on two accounts is two subscriptions", () => {
    const txns: HistoryTxn[] = [];
    for (let m = 0; m < 12; m++) {
      const month = `2026-${String(m + 1).padStart(2, "0")}`;
      txns.push({ id: `a${m}`, account_id: "acc_a", date: `${month}-03`, amount: -1199, description: `QOBUZ ${"PXKQWZ".slice(m % 4)}` });
      txns.push({ id: `b${m}`, account_id: "acc_b", date: `${month}-17`, amount: -1199, description: `QOBUZ ${"MNBVCX".slice(m % 3)}` });
    }
    const found = detectRecurring(txns, "2026-12-20");
    expect(found.map((r) => [r.merchant, r.period, r.transaction_ids.length])).toEqual([
      ["QOBUZ", "monthly", 12],
      ["QOBUZ", "monthly", 12],
    ]);
  });
});
