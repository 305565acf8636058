import { describe, expect, it } from "vitest";
import type { HistoryTxn } from "./history";
import { detectRecurring, recommend } from "./recommendations";

const netflix: HistoryTxn[] = Array.from({ length: 8 }, (_, i) => ({
  id: `nf${i}`,
  date: `2025-0${i + 1}-${i % 2 ? "13" : "12"}`,
  amount: -1549,
  description: `PRLV SEPA NETFLIX.COM ${1000 + i}`,
  category: "subscriptions",
}));
const noise: HistoryTxn[] = Array.from({ length: 40 }, (_, i) => ({
  id: `g${i}`,
  date: `2025-0${1 + (i % 8)}-${String(2 + ((i * 7) % 25)).padStart(2, "0")}`,
  amount: -(2000 + ((i * 131) % 5000)),
  description: "CB MONOPRIX",
  category: "groceries",
}));

describe("detectRecurring", () => {
  it("finds a monthly NETFLIX charge and ignores irregular spending", () => {
    const r = detectRecurring([...netflix, ...noise], "2025-08-20");
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ merchant: "NETFLIX", period: "monthly", amount: 1549, monthly_cost: 1549 });
    expect(r[0]!.transaction_ids).toEqual(netflix.map((t) => t.id));
  });
  it("drops subscriptions that stopped", () => {
    expect(detectRecurring(netflix, "2025-12-31")).toEqual([]);
  });
});

describe("recommend", () => {
  it("returns subscription, budget and overspending items with evidence and integer impacts", () => {
    const recs = recommend([...netflix, ...noise], { asOf: "2025-08-20", budgets: [{ category: "groceries", amount: 1000 }] });
    const types = recs.map((r) => r.type);
    expect(types).toContain("subscription");
    expect(types).toContain("overspending");
    for (const r of recs) {
      expect(Number.isInteger(r.estimated_monthly_impact)).toBe(true);
      expect(r.title.length).toBeGreaterThan(0);
    }
    const sub = recs.find((r) => r.type === "subscription")!;
    expect(sub.estimated_monthly_impact).toBe(1549);
    expect(sub.evidence).toContain("nf7");
  });
  it("is empty for an empty history", () => {
    expect(recommend([])).toEqual([]);
  });
});

describe("large histories", () => {
  it("handles 200 000 transactions (no argument spread, groups built with push)", () => {
    const many: HistoryTxn[] = Array.from({ length: 200_000 }, (_, i) => ({
      id: `m${i}`,
      date: `2025-0${1 + Math.floor(i / 25_000)}-${String(1 + (i % 28)).padStart(2, "0")}`,
      amount: -(500 + (i % 7) * 100),
      description: `CB SHOP ${i % 50}`,
      category: "groceries",
    }));
    const all = [...many, ...netflix];
    expect(detectRecurring(all).map((r) => r.merchant)).toEqual(["NETFLIX"]);
    expect(recommend(all).find((r) => r.type === "subscription")?.title).toMatch(/NETFLIX/);
  });
});
