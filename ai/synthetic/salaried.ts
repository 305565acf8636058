/**
 * Seeded generator of a salaried current account (default two years), written apart from the training
 * generator (ai/training/history.ts): other merchants, amounts and days. It carries its own ground truth:
 * the regular charges (weekly, monthly, quarterly, yearly, some with changing references, a missed and a
 * shifted month) and large one-off purchases at merchants that appear nowhere else in the history.
 * Used by the ai worker's tests, the e2e tests (as a CSV import) and ai/eval.ts.
 */
import { addMonths, dayOfMonth, dayOfWeek, fromDay, toDay } from "../../workers/ai/src/domain/dates";
import type { Category } from "../../workers/ai/src/domain/taxonomy";
import { chance, int, mulberry32, normal, pick, type Rng } from "../training/rng";

export interface SyntheticTxn {
  id: string;
  date: string;
  amount: number; // signed minor units
  description: string;
  category: Category;
}

export interface RegularCharge {
  /** the name a person would recognise (the description's stable part) */
  merchant: string;
  period: "weekly" | "monthly" | "quarterly" | "yearly";
  amount: number; // positive minor units
  ids: string[];
}

export interface SalariedAccount {
  opening_balance: number;
  transactions: SyntheticTxn[];
  /** every fixed-amount regular charge (rent included) */
  regular: RegularCharge[];
  /** the injected one-off purchases at merchants used nowhere else */
  oneOffIds: string[];
}

export interface SalariedOptions {
  seed: number;
  /** last day of the history (YYYY-MM-DD) */
  end: string;
  days?: number;
  /** large one-off purchases at new merchants (default 3) */
  oneOffs?: number;
  /** a one-off costs 20–40× this (default 2 000 minor units, about the median card payment) */
  oneOffBase?: number;
  /** scales the card spending (default 1; small values leave a very regular account) */
  cardScale?: number;
}

const CARD = [
  ["CB INTERMARCHE HYPER", "groceries", 4800],
  ["CB LIDL", "groceries", 3100],
  ["CB BOUCHERIE DU MARCHE", "groceries", 1900],
  ["CB AU FOURNIL DE JEANNE", "groceries", 650],
  ["CB LE COMPTOIR DU PORT", "dining", 2400],
  ["CB PIZZERIA NAPOLI", "dining", 2100],
  ["CB CAFE DE LA MAIRIE", "dining", 480],
  ["CB ESSO STATION", "transport", 5200],
  ["CB PARKING INDIGO", "transport", 900],
  ["CB PHARMACIE DU PONT", "health", 1600],
  ["CB KIABI", "shopping", 3500],
  ["CB CULTURA", "shopping", 2600],
  ["CB GAUMONT", "entertainment", 1250],
] as const satisfies ReadonlyArray<readonly [string, Category, number]>;

/** One-off purchases at shops used once: names never used by the card rhythm or the regular charges. */
const ONE_OFF_SHOPS = [
  ["CB ATELIER DU MEUBLE MASSIF", "shopping"],
  ["CB CUISINES EQUIPEES LEROUX", "housing"],
  ["CB VOYAGES LOINTAINS EXPRESS", "travel"],
  ["CB BIJOUTERIE ORFEVRE SAINT LOUIS", "shopping"],
  ["CB CYCLES ELECTRIQUES DU LAC", "shopping"],
  ["CB PISCINES ET SPAS AZUR", "housing"],
  ["CB CLINIQUE VETERINAIRE DES SAULES", "health"],
  ["CB HIFI PRESTIGE AUDITORIUM", "shopping"],
] as const satisfies ReadonlyArray<readonly [string, Category]>;

const REF_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
const LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ";
/** A payment reference that changes every month (sometimes letters only, so it is no number to strip). */
const ref = (r: Rng) =>
  chance(r, 0.5)
    ? Array.from({ length: 6 }, () => pick(r, [...LETTERS])).join("")
    : Array.from({ length: 8 }, () => pick(r, [...REF_CHARS])).join("");

export function generateSalaried(opts: SalariedOptions): SalariedAccount {
  const r = mulberry32(opts.seed);
  const days = opts.days ?? 730;
  const end = toDay(opts.end);
  const start = end - days + 1;
  const txns: Omit<SyntheticTxn, "id">[] = [];
  const regular = new Map<string, { period: RegularCharge["period"]; amount: number; rows: number[] }>();
  const add = (day: number, amount: number, description: string, category: Category, regularName?: string) => {
    txns.push({ date: fromDay(day), amount: Math.round(amount), description, category });
    if (regularName) regular.get(regularName)!.rows.push(txns.length - 1);
  };
  const regularCharge = (name: string, period: RegularCharge["period"], amount: number) => regular.set(name, { period, amount, rows: [] });

  const salary = int(r, 2300, 3900) * 100;
  const salaryDay = pick(r, [26, 27, 28, 29]);
  const rent = int(r, 650, 1250) * 100;
  const rentDay = pick(r, [4, 5, 6]);
  const streaming = pick(r, [899, 1099, 1349]);
  const streamingDay = int(r, 6, 12);
  const music = pick(r, [1099, 1199, 599]);
  const musicDay = int(r, 16, 24);
  const phone = pick(r, [1599, 1999, 2499]);
  const phoneDay = int(r, 2, 9);
  const quarterly = int(r, 90, 160) * 100;
  const yearly = pick(r, [4900, 5900, 6999]);
  const basket = pick(r, [2200, 2500, 2800]);
  const basketDow = pick(r, [2, 3, 4]);
  regularCharge("LOYER SCI DES ACACIAS", "monthly", rent);
  regularCharge("CINEPLUS", "monthly", streaming);
  regularCharge("QOBUZ", "monthly", music);
  regularCharge("SOSH MOBILE", "monthly", phone);
  regularCharge("MATMUT HABITATION", "quarterly", quarterly);
  regularCharge("PCLOUD", "yearly", yearly);
  regularCharge("PANIER DES MARAICHERS", "weekly", basket);

  // A missed month and a shifted one for the streaming charge (a failed card, a late debit).
  const missed = addMonths(start, int(r, 6, 14));
  const shifted = addMonths(start, int(r, 15, 20));
  const sameMonth = (a: number, b: number) => fromDay(a).slice(0, 7) === fromDay(b).slice(0, 7);
  const quarterMonth = int(r, 0, 2);
  const yearDay = int(r, 20, 300);

  for (let day = start; day <= end; day++) {
    const dom = dayOfMonth(day);
    const dow = dayOfWeek(day);
    const month = Number(fromDay(day).slice(5, 7));
    const payday = (dom === salaryDay && dow !== 0 && dow !== 6) || (dow === 5 && [1, 2].some((k) => dayOfMonth(day + k) === salaryDay));
    if (payday) add(day, salary + Math.round(normal(r) * 1500), "VIR SEPA RECU SALAIRE TECHNIQUES ARVERNES", "income");
    if (dom === rentDay) add(day, -rent, "PRLV SEPA LOYER SCI DES ACACIAS", "housing", "LOYER SCI DES ACACIAS");
    if (dom === streamingDay && !sameMonth(day, missed) && !sameMonth(day, shifted))
      add(day, -streaming, `CINEPLUS ${ref(r)}`, "subscriptions", "CINEPLUS");
    if (dom === streamingDay && sameMonth(day, shifted)) add(day + 3, -streaming, `CINEPLUS ${ref(r)}`, "subscriptions", "CINEPLUS");
    if (dom === musicDay) add(day, -music, `QOBUZ ${ref(r)}`, "subscriptions", "QOBUZ");
    if (dom === phoneDay) add(day, -phone, "PRLV SEPA SOSH MOBILE FORFAIT", "utilities", "SOSH MOBILE");
    if (dom === 14)
      add(
        day,
        -(5200 + 2600 * Math.cos((2 * Math.PI * (day - start)) / 365) + normal(r) * 300),
        "PRLV SEPA TOTALENERGIES ELEC",
        "utilities",
      );
    if (dom === 11 && month % 3 === quarterMonth)
      add(day, -quarterly, "PRLV SEPA MATMUT HABITATION ECH TRIM", "insurance", "MATMUT HABITATION");
    if ((day - start) % 365 === yearDay) add(day, -yearly, "PCLOUD ANNUAL PLAN", "subscriptions", "PCLOUD");
    if (dow === basketDow) add(day, -basket, "CB PANIER DES MARAICHERS", "groceries", "PANIER DES MARAICHERS");

    // Card spending: one or two purchases most days, amounts log-normal around each shop's usual.
    const n = chance(r, 0.25) ? 0 : chance(r, 0.6) ? 1 : 2;
    for (let k = 0; k < n; k++) {
      const [desc, cat, usual] = pick(r, CARD);
      add(
        day,
        -Math.max(150, (opts.cardScale ?? 1) * usual * Math.exp(normal(r) * 0.45)),
        `${desc} ${String(dom).padStart(2, "0")}/${String(month).padStart(2, "0")}`,
        cat,
      );
    }
    if (dom === 20 && chance(r, 0.5)) add(day, -int(r, 40, 120) * 100, "RETRAIT DAB", "other");
  }

  // One-offs: ~20–40× the median card payment, at shops used nowhere else, spread over the history.
  const cardMedian = opts.oneOffBase ?? 2000;
  const shops = [...ONE_OFF_SHOPS];
  const oneOffRows: number[] = [];
  for (let k = 0; k < (opts.oneOffs ?? 3); k++) {
    const [desc, cat] = shops.splice(Math.floor(r() * shops.length), 1)[0]!;
    const day = start + 60 + Math.floor(r() * (days - 90));
    add(day, -cardMedian * (20 + r() * 20), `${desc} ${String(dayOfMonth(day)).padStart(2, "0")}`, cat);
    oneOffRows.push(txns.length - 1);
  }

  // Stable ids in date order; ground truth follows the rows.
  const order = txns.map((t, i) => ({ t, i })).sort((a, b) => (a.t.date < b.t.date ? -1 : a.t.date > b.t.date ? 1 : a.i - b.i));
  const idOf = new Map<number, string>();
  const transactions = order.map(({ t, i }, k) => {
    const id = `syn_${String(k).padStart(5, "0")}`;
    idOf.set(i, id);
    return { id, ...t };
  });
  return {
    opening_balance: int(r, 800, 4000) * 100,
    transactions,
    regular: [...regular].map(([merchant, g]) => ({ merchant, period: g.period, amount: g.amount, ids: g.rows.map((i) => idOf.get(i)!) })),
    oneOffIds: oneOffRows.map((i) => idOf.get(i)!),
  };
}

/** The account as a CSV import body (`date,amount,description,category`, amounts in major units). */
export function toCsv(a: SalariedAccount): string {
  const major = (m: number) => `${m < 0 ? "-" : ""}${Math.floor(Math.abs(m) / 100)}.${String(Math.abs(m) % 100).padStart(2, "0")}`;
  return `date,amount,description,category\n${a.transactions.map((t) => `${t.date},${major(t.amount)},${t.description},${t.category}`).join("\n")}\n`;
}
