/**
 * Seeded generator of multi-year synthetic account histories for evaluating the forecast,
 * anomaly detection and recommendations: monthly salary (moved to the Friday before a weekend),
 * rent, subscriptions, utilities, weekly grocery/dining rhythm, inflation, noise, one-off
 * outliers (flagged `injected`) and an occasional duplicate charge.
 */
import { dayOfMonth, dayOfWeek, fromDay, toDay } from "../../workers/ai/src/domain/dates";
import type { Category } from "../../workers/ai/src/domain/taxonomy";
import { chance, int, mulberry32, normal, pick, type Rng } from "./rng";

export interface HistoryTxn {
  id: string;
  date: string;
  amount: number;
  description: string;
  counterparty: string;
  category: Category;
  injected?: boolean;
}

export interface History {
  opening_balance: number;
  transactions: HistoryTxn[];
}

export function generateHistory(seed: number, start = "2022-01-01", days = 3 * 365): History {
  const r: Rng = mulberry32(seed);
  const d0 = toDay(start);
  const txns: Omit<HistoryTxn, "id">[] = [];
  const add = (day: number, amount: number, counterparty: string, description: string, category: Category, injected = false) =>
    txns.push({ date: fromDay(day), amount: Math.round(amount), description, counterparty, category, ...(injected ? { injected } : {}) });

  // Per-account personality, so seeds differ in more than noise.
  const salary = int(r, 2200, 4500) * 100;
  const salaryDay = pick(r, [1, 25, 27, 28, 30]);
  const rent = -int(r, 700, 1600) * 100;
  const rentDay = pick(r, [1, 3, 5, 10]);
  const groceryShopDow = pick(r, [5, 6]); // Friday or Saturday big shop
  const subs: Array<[string, number, number, Category]> = [
    ["NETFLIX.COM", -1549, int(r, 2, 27), "subscriptions"],
    ["SPOTIFY", -1099, int(r, 2, 27), "subscriptions"],
    ["BASIC FIT", -2999, 1, "subscriptions"],
    ["FREE MOBILE", -1999, int(r, 2, 27), "utilities"],
    ["MAIF ASSURANCE", -4210, 10, "insurance"],
  ];
  const edfDay = int(r, 12, 18);

  for (let t = 0; t < days; t++) {
    const day = d0 + t;
    const dom = dayOfMonth(day);
    const dow = dayOfWeek(day);
    const years = t / 365;
    const infl = 1.03 ** years;

    // Salary on salaryDay, paid the Friday before when it falls on a weekend; +2 % a year.
    const isPayday =
      (dom === salaryDay && dow !== 0 && dow !== 6) ||
      (dow === 5 && (dayOfMonth(day + 1) === salaryDay || dayOfMonth(day + 2) === salaryDay));
    if (isPayday) add(day, salary * 1.02 ** Math.floor(years) + normal(r) * 2000, "ACME SAS", "VIR SEPA SALAIRE ACME SAS", "income");
    if (dom === rentDay) add(day, rent * 1.015 ** Math.floor(years), "FONCIA", "PRLV SEPA LOYER FONCIA", "housing");
    for (const [name, amt, d, cat] of subs) if (dom === d) add(day, amt, name, `PRLV SEPA ${name}`, cat);
    if (dom === edfDay)
      add(day, -(6000 + 3500 * Math.cos((2 * Math.PI * (t - 15)) / 365)) * infl, "EDF", "PRLV SEPA EDF CLIENTS PARTICULIERS", "utilities");
    if (dom === 3) add(day, -8640, "NAVIGO", "CB NAVIGO ANNUEL", "transport");
    if (t % 365 === 200) add(day, -6990, "AMAZON PRIME", "AMAZON PRIME FR", "subscriptions");

    // Weekly rhythm: big shop, small daily shopping, weekend dining.
    if (dow === groceryShopDow)
      add(
        day,
        -Math.max(2000, (9000 + normal(r) * 2500) * infl),
        "CARREFOUR",
        `CB CARREFOUR MARKET ${String(dom).padStart(2, "0")}/${int(r, 1, 12)}`,
        "groceries",
      );
    if (dow >= 1 && dow <= 5 && chance(r, 0.45))
      add(
        day,
        -Math.max(150, (1400 + normal(r) * 600) * infl),
        pick(r, ["MONOPRIX", "BOULANGERIE MARTIN"]),
        pick(r, ["CB MONOPRIX 0423", "CB BOULANGERIE MARTIN"]),
        "groceries",
      );
    if ((dow === 5 || dow === 6) && chance(r, 0.55))
      add(
        day,
        -Math.max(800, (4200 + normal(r) * 1500) * infl),
        pick(r, ["LE PETIT BISTROT", "SUSHI SHOP", "DELIVEROO"]),
        "CB RESTAURANT",
        "dining",
      );
    if (dow >= 1 && dow <= 5 && chance(r, 0.3))
      add(day, -Math.max(300, (1300 + normal(r) * 400) * infl), "STARBUCKS", "CB STARBUCKS", "dining");
    if (chance(r, 0.07))
      add(
        day,
        -Math.max(500, 6000 * Math.exp(normal(r) * 0.6) * infl),
        pick(r, ["AMAZON", "FNAC", "ZARA", "DECATHLON"]),
        "CB SHOPPING",
        "shopping",
      );
    if (chance(r, 0.05)) add(day, -Math.max(1000, (5500 + normal(r) * 1000) * infl), "TOTALENERGIES", "CB TOTAL ACCESS", "transport");
  }

  // Injected one-off outliers: an ordinary purchase inflated 4–12×, about every 45 days.
  const variable = txns.map((x, i) => ({ x, i })).filter(({ x }) => ["groceries", "dining", "shopping", "transport"].includes(x.category));
  for (let k = 0; k < Math.floor(days / 45); k++) {
    const { x } = pick(r, variable);
    if (x.injected) continue;
    x.amount = Math.round(x.amount * (4 + r() * 8));
    x.injected = true;
  }
  // One duplicate subscription charge a year (charged twice the same day).
  for (let y = 0; y < Math.floor(days / 365); y++) {
    const day = d0 + y * 365 + 100 + int(r, 0, 60);
    const dup = txns.find((x) => x.counterparty === "NETFLIX.COM" && toDay(x.date) >= day);
    if (dup) txns.push({ ...dup, injected: true });
  }

  txns.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return {
    opening_balance: int(r, 500, 5000) * 100,
    transactions: txns.map((x, i) => ({ id: `txn_${String(i).padStart(6, "0")}`, ...x })),
  };
}
