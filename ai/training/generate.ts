/**
 * Seeded generator of noisy, labelled bank-statement lines for training the categoriser.
 * Lines imitate French and US statements: upper case, CB*1234, PRLV SEPA, VIR, CARTE 12/03,
 * POS/ACH prefixes, store numbers, cities, references, truncation. Amounts are signed minor units.
 */
import { CATEGORIES, type Category } from "../../workers/ai/src/domain/taxonomy";
import { CATEGORY_SPECS, FR_CITIES, SURNAMES, US_CITIES, type Channel } from "./merchants";
import { chance, int, mulberry32, pick, type Rng } from "./rng";
import { EXTRA_BRANDS, EXTRA_STEMS } from "./vocabulary";
import { MORE_BRANDS, MORE_STEMS } from "./brands";
import { CHAIN_BRANDS, CHAIN_STEMS } from "./chains";

/** One list per category from every curated source, without repeats. */
const merged = (base: (s: (typeof CATEGORY_SPECS)[Category]) => string[], ...more: Array<Record<Category, string[]>>) =>
  Object.fromEntries(
    Object.entries(CATEGORY_SPECS).map(([k, s]) => [k, [...new Set([...base(s), ...more.flatMap((m) => m[k as Category])])]]),
  ) as Record<Category, string[]>;

export const BRANDS = merged((s) => s.brands, EXTRA_BRANDS, MORE_BRANDS, CHAIN_BRANDS);
const STEMS = merged((s) => s.stems, EXTRA_STEMS, MORE_STEMS, CHAIN_STEMS);

/** A made-up brand ("KORVELA", "MIDANO"): teaches the model to read the keyword beside a name it has never seen. */
function pseudoWord(r: Rng): string {
  const C = ["B", "C", "D", "F", "G", "K", "L", "M", "N", "P", "R", "S", "T", "V", "Z", "CH", "TR", "BR", "GR", "ST"];
  const V = ["A", "E", "I", "O", "U", "AI", "OU", "EA", "Y"];
  let w = "";
  for (let i = int(r, 2, 3); i > 0; i--) w += pick(r, C) + pick(r, V);
  return chance(r, 0.3) ? w + pick(r, ["N", "R", "S", "X", "T"]) : w;
}

export interface LabelledLine {
  description: string;
  amount: number;
  counterparty?: string;
  category: Category;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const digits = (r: Rng, n: number) => Array.from({ length: n }, () => int(r, 0, 9)).join("");
const ddmm = (r: Rng) => `${pad(int(r, 1, 28))}/${pad(int(r, 1, 12))}`;
const mmdd = (r: Rng) => `${pad(int(r, 1, 12))}${pad(int(r, 1, 28))}`;
const ref = (r: Rng) =>
  pick(r, [
    "",
    `REF ${digits(r, 8)}`,
    `${digits(r, 10)}`,
    `ECH ${ddmm(r)}`,
    `MANDAT ${pick(r, ["FR", "RUM"])}${digits(r, 6)}`,
    `ID ${digits(r, 6)}`,
  ]);
const store = (r: Rng) =>
  pick(r, ["", ` #${digits(r, 4)}`, ` ${digits(r, 3)}`, ` STORE ${digits(r, 4)}`, ` ${digits(r, 5)}`, ` T${digits(r, 3)}`]);

/** Every stem (generic shop-type word): the dev split holds out brands only. */
export const STEM_SET = new Set(Object.values(STEMS).flat());

/** Which brands/stems a corpus may use: all of them, or one side of a merchant-disjoint dev split. */
export type NameFilter = (name: string) => boolean;
let LISTS = { brands: BRANDS, stems: STEMS };
function useLists(keep?: NameFilter): void {
  const f = (m: Record<Category, string[]>) =>
    Object.fromEntries(
      Object.entries(m).map(([k, v]) => {
        const kept = keep ? v.filter(keep) : v;
        return [k, kept.length ? kept : v.slice(0, 1)];
      }),
    ) as Record<Category, string[]>;
  LISTS = { brands: f(BRANDS), stems: f(STEMS) };
}

/** Merchant surface form: a brand, or a shop-type stem with a surname/place; with spelling noise. */
function merchantName(r: Rng, cat: Category): string {
  const brands = LISTS.brands[cat];
  const stems = LISTS.stems[cat];
  const u = r();
  const owner = () => (chance(r, 0.5) ? pick(r, SURNAMES) : pseudoWord(r));
  let m =
    u < 0.5 || stems.length === 0
      ? pick(r, brands)
      : u < 0.85
        ? chance(r, 0.5)
          ? `${pick(r, stems)} ${owner()}`
          : `${owner()} ${pick(r, stems)}`
        : `${pseudoWord(r)} ${pick(r, stems)}${chance(r, 0.3) ? ` ${pseudoWord(r)}` : ""}`;
  if (chance(r, 0.15)) m = m.replace(/[ '.]/g, ""); // "MCDONALDS", "AMAZONFR"
  if (chance(r, 0.1)) m = m.replace(/'/g, " ");
  return abbreviate(r, m);
}

/**
 * Statement noise on the merchant field itself: a long word cut to its first letters ("BOULANGERIE"
 * -> "BOULANG"), vowels dropped ("PHARMACIE" -> "PHRMC"), the field cut at the card network's
 * 22-25 characters, a store number glued on ("SHOP0423").
 */
function abbreviate(r: Rng, m: string): string {
  const words = m.split(" ");
  if (chance(r, 0.12)) {
    const i = int(r, 0, words.length - 1);
    if (words[i]!.length >= 7) words[i] = words[i]!.slice(0, int(r, 4, words[i]!.length - 2));
  }
  if (chance(r, 0.04)) {
    const i = int(r, 0, words.length - 1);
    if (words[i]!.length >= 6) words[i] = words[i]![0] + words[i]!.slice(1).replace(/[AEIOU]/g, "");
  }
  let out = words.join(" ");
  if (out.length > 14 && chance(r, 0.12)) out = out.slice(0, int(r, 12, 22)).trim();
  if (chance(r, 0.05)) out += digits(r, int(r, 2, 5));
  return out;
}

function cardLine(r: Rng, m: string): string {
  const fr = pick(r, FR_CITIES);
  const us = pick(r, US_CITIES);
  return pick(r, [
    () => `CB ${m} ${ddmm(r)}`,
    () => `CB ${m}${store(r)} ${fr}`,
    () => `CB*${digits(r, 4)} ${m} ${fr}`,
    () => `CARTE ${ddmm(r)} ${m} ${fr}`,
    () => `CARTE X${digits(r, 4)} ${ddmm(r)} ${m}`,
    () => `PAIEMENT PAR CARTE ${m}${store(r)} ${fr} ${ddmm(r)}`,
    () => `FACTURE CARTE DU ${pad(int(r, 1, 28))}${pad(int(r, 1, 12))}${pad(int(r, 20, 25))} ${m} ${fr}`,
    () => `POS DEBIT ${m}${store(r)} ${us}`,
    () => `POS PURCHASE ${m}${store(r)} ${us}`,
    () => `DEBIT CARD PURCHASE ${m} ${us}`,
    () => `CHECKCARD ${mmdd(r)} ${m}${store(r)} ${us} ${digits(r, 12)}`,
    () => `PURCHASE AUTHORIZED ON ${pad(int(r, 1, 12))}/${pad(int(r, 1, 28))} ${m} ${us} S${digits(r, 15)} CARD ${digits(r, 4)}`,
    () => `${m}${store(r)} ${us}`,
    () => `${m} ${fr}`,
    () => `SQ *${m} ${us}`,
    () => `TST* ${m} ${us}`,
    () => `PAYPAL *${m.replace(/ /g, "")}`,
    () => `APPLE PAY ${m} ${fr}`,
    () => `ACHAT CB ${m} ${ddmm(r)} ${fr}`,
    () => `CB ${m.slice(0, 22)} ${fr}`,
    () => `VISA ${m}${store(r)} ${us}`,
    () => `DEBIT CARD ${mmdd(r)} ${m} ${us}`,
    () => `${m}${store(r)} ${us} ${mmdd(r)}`,
    () => m,
  ])();
}

function debitLine(r: Rng, m: string): string {
  return pick(r, [
    () => `PRLV SEPA ${m} ${ref(r)}`,
    () => `PRLV SEPA ${m} ${ref(r)} ${ref(r)}`,
    () => `PRELEVEMENT ${m} ${ref(r)}`,
    () => `PRELEVEMENT EUROPEEN ${digits(r, 10)} DE: ${m} ID: FR${digits(r, 8)} MOTIF: ${ref(r)}`,
    () => `ACH DEBIT ${m} ${ref(r)}`,
    () => `${m} ACH PMT ${digits(r, 8)}`,
    () => `RECURRING PAYMENT ${m} ${ref(r)}`,
    () => `ELECTRONIC WITHDRAWAL ${m}`,
    () => `${m} ONLINE PMT ${mmdd(r)}`,
    () => `CB ${m} ${ddmm(r)}`,
    () => m,
  ])();
}

function transferLine(r: Rng, m: string, amount: number): string {
  const inbound = amount > 0;
  return pick(r, [
    () => `VIR SEPA ${m} ${ref(r)}`,
    () => `VIR ${inbound ? "RECU" : "EMIS"} ${m}`,
    () => `VIREMENT ${inbound ? "DE" : "POUR"} ${m} ${ref(r)}`,
    () => `VIR INST ${m} ${ref(r)}`,
    () => `VIR SEPA RECU /DE ${m} /MOTIF ${ref(r)}`,
    () => `ACH ${inbound ? "CREDIT" : "DEBIT"} ${m} ${ref(r)}`,
    () => `${inbound ? "DEPOSIT" : "ONLINE TRANSFER"} ${m} ${digits(r, 8)}`,
    () => `${m} ${ref(r)}`,
    () => m,
  ])();
}

const FIRST_NAMES = [
  "JEAN",
  "MARIE",
  "LUCAS",
  "EMMA",
  "LEA",
  "HUGO",
  "CAMILLE",
  "NICOLAS",
  "JULIE",
  "ANTOINE",
  "SARAH",
  "MAXIME",
  "INES",
  "YANIS",
  "SOPHIE",
  "MATHIEU",
  "CLARA",
  "ROMAIN",
  "MANON",
  "PAUL",
  "LAURA",
  "ALEXANDRE",
  "NADIA",
  "OMAR",
  "FATIMA",
  "MEHDI",
  "AMINA",
  "BAPTISTE",
  "ELODIE",
  "QUENTIN",
  "AURELIE",
  "SEBASTIEN",
  "PAULINE",
  "VINCENT",
  "JOHN",
  "MICHAEL",
  "DAVID",
  "JAMES",
  "ROBERT",
  "EMILY",
  "ASHLEY",
  "JENNIFER",
  "CHRIS",
  "MATT",
  "SAM",
  "ALEX",
  "DANIEL",
  "KEVIN",
  "BRIAN",
  "RACHEL",
  "MEGAN",
  "LAUREN",
  "TYLER",
  "JOSE",
  "MARIA",
  "CARLOS",
  "ANA",
  "WEI",
  "PRIYA",
];
const TITLES = ["M", "MME", "MR", "MLLE", "MONSIEUR", "MADAME", "M OU MME", "MR ET MME", ""];
const P2P_MOTIFS = [
  "REMBOURSEMENT",
  "REMB",
  "PART",
  "CADEAU",
  "ANNIVERSAIRE",
  "CAGNOTTE",
  "AVANCE",
  "PRET",
  "RETOUR PRET",
  "ARGENT DE POCHE",
  "COLOC",
  "PARTAGE FRAIS",
  "DEPANNAGE",
  "POUR TOI",
  "MERCI",
  "DETTE",
  "VACANCES",
  "WEEKEND",
  "DINER",
  "RESTO",
  "COURSES",
  "BILLETS",
  "SOIREE",
  "MARIAGE",
  "NOEL",
];
const P2P_MEMOS = [
  "",
  "DINNER",
  "TICKETS",
  "RENT SPLIT",
  "GROCERIES",
  "BIRTHDAY",
  "TRIP",
  "THANKS",
  "GAS MONEY",
  "PIZZA",
  "LOAN",
  "PAYBACK",
];
const OWN_ACCOUNTS = [
  "MOI-MEME",
  "MOI MEME",
  "COMPTE JOINT",
  "CPT JOINT",
  "MON COMPTE",
  "COMPTE COURANT",
  "CPT CHEQUES",
  "COMPTE PERSO",
  "CHECKING",
  "MY ACCOUNT",
  "SHARE",
  "JOINT ACCOUNT",
];
const BANKS = [
  "BOURSORAMA",
  "BNP",
  "LCL",
  "SG",
  "CIC",
  "CREDIT AGRICOLE",
  "FORTUNEO",
  "HELLO BANK",
  "N26",
  "REVOLUT",
  "CHASE",
  "WELLS FARGO",
  "ALLY",
  "CAPITAL ONE",
];

/** A person, as a statement writes the payee or payer of a transfer ("MME CLARA DUBOIS", "Matt Johnson"). */
function person(r: Rng): string {
  const first = pick(r, FIRST_NAMES);
  const last = pick(r, SURNAMES);
  return pick(r, [
    () => `${pick(r, TITLES)} ${first} ${last}`,
    () => `${first} ${last}`,
    () => `${last} ${first}`,
    () => `${first[0]} ${last}`,
    () => `${first}`,
  ])();
}

/**
 * Transfers to and from people and between one's own accounts: the names are never the same twice,
 * so the model has to read the wording around them (/A, /DE, TO, FROM, a motif) rather than the name.
 */
function personTransferLine(r: Rng, amount: number): string {
  const inbound = amount > 0;
  const who = chance(r, 0.8)
    ? person(r)
    : `${pick(r, OWN_ACCOUNTS)} ${chance(r, 0.5) ? pick(r, BANKS) : ""} ${chance(r, 0.5) ? `CPT ${digits(r, 8)}` : ""}`;
  const motif = chance(r, 0.7) ? `${pick(r, P2P_MOTIFS)}${chance(r, 0.4) ? ` ${pick(r, P2P_MOTIFS)}` : ""}` : "";
  const memo = pick(r, P2P_MEMOS);
  const way = inbound ? pick(r, ["RECU", "INST RECU", "SEPA RECU"]) : pick(r, ["EMIS", "INST EMIS", "SEPA EMIS", "SEPA", "INST"]);
  return pick(r, [
    () => `VIR ${way} /${inbound ? "DE" : "A"} ${who}${motif ? ` /MOTIF ${motif}` : ""}${chance(r, 0.3) ? ` /REF ${digits(r, 8)}` : ""}`,
    () => `VIREMENT ${inbound ? "DE" : "A"} ${who} ${motif}`,
    () => `VIR ${inbound ? "DE" : "POUR"} ${who} ${motif}`,
    () => `VIR INST ${inbound ? "DE" : "VERS"} ${who} ${motif}`,
    () => `${inbound ? "VIR INTERNE DEPUIS" : "VIR INTERNE VERS"} ${pick(r, OWN_ACCOUNTS)} ${digits(r, 8)}`,
    () => `${inbound ? "Transfer from" : "Transfer to"} ${who} ${chance(r, 0.5) ? `Conf# ${digits(r, 6)}` : memo}`,
    () =>
      `${inbound ? "Online Transfer from" : "Online Transfer to"} ${inbound ? pick(r, ["CHK", "SAV", "Checking", "Savings"]) : pick(r, ["CHK", "Checking"])} ...${digits(r, 4)} transaction#: ${digits(r, 10)}`,
    () => `${pick(r, ["ZELLE", "Zelle payment"])} ${inbound ? "from" : "to"} ${who} ${memo}`,
    () => `${pick(r, ["VENMO", "CASH APP", "PAYPAL"])}*${who} ${chance(r, 0.5) ? digits(r, 10) : memo}`,
    () => `${pick(r, ["LYDIA", "PAYLIB", "WERO"])} ${inbound ? "DE" : "A"} ${who} ${motif}`,
    () => `${inbound ? "WIRE FROM" : "WIRE TO"} ${who} ${memo}`,
  ])();
}

function bankLine(r: Rng, m: string): string {
  return pick(r, [
    () => m,
    () => `${m} ${ddmm(r)}`,
    () => `${m} ${ref(r)}`,
    () => `${m} ${pick(r, ["", "MENSUEL", "TRIMESTRIEL", "ANNUAL", "MONTHLY"])}`,
  ])();
}

function atmLine(r: Rng, m: string): string {
  return pick(r, [
    () => `${m} ${ddmm(r)} ${pick(r, FR_CITIES)}`,
    () => `${m} ${pick(r, US_CITIES)} ${digits(r, 6)}`,
    () => `${m} N ${digits(r, 7)}`,
    () => `CARTE X${digits(r, 4)} ${m} ${ddmm(r)}`,
    () => m,
  ])();
}

/** Log-uniform amounts in minor units within the category's range. */
function amountFor(r: Rng, cat: Category): number {
  const [lo, hi] = CATEGORY_SPECS[cat].amount;
  const major = Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo)));
  const sign = CATEGORY_SPECS[cat].sign || (chance(r, 0.5) ? 1 : -1);
  return sign * Math.max(1, Math.round(major * 100));
}

/** Share of transfer lines naming a person or one's own account (the rest use the curated transfer names). */
const PERSON_TRANSFERS = Number(process.env.PERSON_TRANSFERS ?? 0.35);

export function generateLine(r: Rng, cat: Category): LabelledLine {
  const spec = CATEGORY_SPECS[cat];
  const amount = amountFor(r, cat);
  const m = merchantName(r, cat);
  const channel: Channel = pick(r, spec.channels);
  let d =
    cat === "transfers" && chance(r, PERSON_TRANSFERS)
      ? personTransferLine(r, amount)
      : channel === "card"
        ? cardLine(r, m)
        : channel === "debit"
          ? debitLine(r, m)
          : channel === "transfer"
            ? transferLine(r, m, amount)
            : channel === "atm"
              ? atmLine(r, m)
              : bankLine(r, m);
  d = d.replace(/\s+/g, " ").trim().toUpperCase();
  // statement column truncation, as long as the merchant's first letters survive
  const cut = int(r, 20, 34);
  if (chance(r, 0.25) && d.slice(0, cut).includes(m.toUpperCase().slice(0, 5))) d = d.slice(0, cut).trim();
  if (chance(r, 0.08)) d = d.toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase()); // some banks use Title Case
  return { description: d, amount, category: cat };
}

/** `perClass` lines for each category, interleaved deterministically. */
export function generateCorpus(perClass: number, seed: number, keep?: NameFilter): LabelledLine[] {
  useLists(keep);
  const r = mulberry32(seed);
  const out: LabelledLine[] = [];
  for (let i = 0; i < perClass; i++) for (const c of CATEGORIES) out.push(generateLine(r, c));
  useLists();
  return out;
}

// `tsx ai/training/generate.ts 20` prints a sample.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const l of generateCorpus(Number(process.argv[2] ?? 3), 7))
    console.log(`${l.category.padEnd(14)} ${String(l.amount).padStart(8)}  ${l.description}`);
}
