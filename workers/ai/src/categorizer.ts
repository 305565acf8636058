/**
 * The categoriser as the worker runs it: built-in rules, then (where `env.AI` is bound) a Workers AI
 * embedding model with nearest-centroid lookup, else — or whenever that fails — the tfjs model.
 * The tfjs model is loaded once per isolate (the promise is cached). Workers AI sits behind the
 * `Embedder` interface so tests inject a fake (Workers AI has no local simulation and bills in dev).
 */
import categorizerArtifact from "../../../ai/models/categorizer/artifact";
import {
  loadCategorizer,
  modelCategorize,
  ruleCategory,
  type Categorization,
  type CategorizeInput,
  type Categorizer,
} from "./domain/categorize";
import { CATEGORIES, type Category } from "./domain/taxonomy";
import type { WorkersAiBinding } from "./env";

let loading: Promise<Categorizer> | undefined;

/** The tfjs model, loaded on first use and shared by every request of this isolate. */
export function getCategorizer(): Promise<Categorizer> {
  loading ??= loadCategorizer(categorizerArtifact).catch((err) => {
    loading = undefined; // let a later request retry
    throw err;
  });
  return loading;
}

/** Text → vector. Production: Workers AI `@cf/baai/bge-small-en-v1.5`; tests: a fake. */
export interface Embedder {
  readonly name: string;
  embed(texts: string[]): Promise<number[][]>;
}

export const EMBEDDING_MODEL = "@cf/baai/bge-small-en-v1.5";
const EMBED_BATCH = 100; // bge-small accepts up to 100 texts per call

export function workersAiEmbedder(ai: WorkersAiBinding): Embedder {
  return {
    name: EMBEDDING_MODEL,
    async embed(texts) {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += EMBED_BATCH) {
        const res = (await ai.run(EMBEDDING_MODEL, { text: texts.slice(i, i + EMBED_BATCH) })) as { data?: number[][] };
        if (!Array.isArray(res?.data) || res.data.length !== Math.min(EMBED_BATCH, texts.length - i))
          throw new Error("unexpected Workers AI answer");
        out.push(...res.data);
      }
      return out;
    },
  };
}

/**
 * Category prototypes for nearest-centroid lookup: a category's centroid is the mean embedding of
 * these phrases (embedded once per isolate and embedder). Plain descriptions of the fixed taxonomy's categories.
 */
export const PROTOTYPES: Record<Exclude<Category, "other">, string[]> = {
  income: [
    "salary payroll direct deposit",
    "salaire virement employeur paie",
    "pension benefits allowance refund",
    "tax refund reimbursement",
  ],
  housing: ["rent payment landlord", "loyer appartement", "mortgage loan installment", "home improvement hardware store repairs plumber"],
  utilities: ["electricity bill power company", "gas and water utility", "internet broadband fibre box", "mobile phone plan telecom"],
  groceries: ["supermarket groceries", "supermarche hypermarche courses", "bakery boulangerie butcher", "food market grocery store"],
  dining: ["restaurant meal", "cafe coffee shop bar", "fast food burger pizza", "food delivery takeaway"],
  transport: [
    "fuel gas station petrol",
    "public transit metro bus train ticket",
    "taxi ride hailing uber",
    "parking toll motorway car repair",
  ],
  travel: ["airline flight tickets", "hotel booking accommodation", "holiday rental vacation", "car rental airport"],
  shopping: [
    "clothing apparel fashion store",
    "electronics retailer",
    "online marketplace order",
    "department store general retail furniture",
  ],
  entertainment: ["cinema movie tickets", "concert festival event tickets", "video games store", "theme park museum show"],
  subscriptions: [
    "streaming service monthly subscription",
    "music streaming membership",
    "software cloud subscription",
    "gym fitness membership",
  ],
  health: ["pharmacy drugstore", "doctor medical consultation", "dentist dental care", "hospital clinic optician laboratory"],
  insurance: ["insurance premium", "car insurance home insurance", "health insurance mutuelle", "life insurance policy"],
  education: ["tuition fees university school", "online course training", "student loan payment", "childcare daycare school canteen"],
  taxes: ["income tax payment", "property tax", "traffic fine penalty", "tax authority treasury"],
  fees: ["bank fees account charges", "overdraft interest charge", "card annual fee", "atm withdrawal fee foreign transaction fee"],
  transfers: ["transfer to own account", "money transfer to friend", "peer to peer payment", "virement compte joint"],
  savings: ["savings account deposit", "investment brokerage contribution", "retirement account contribution", "livret epargne versement"],
  charity: ["donation to charity", "nonprofit foundation gift", "don association humanitaire", "church tithe"],
};

export interface EmbeddingIndex {
  labels: Category[];
  centroids: number[][];
}

const indexes = new Map<string, Promise<EmbeddingIndex>>();

function unit(v: number[]): number[] {
  const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
  return v.map((x) => x / n);
}

async function buildIndex(embedder: Embedder): Promise<EmbeddingIndex> {
  const labels = Object.keys(PROTOTYPES) as Category[];
  const phrases = labels.flatMap((l) => PROTOTYPES[l as Exclude<Category, "other">].map((p) => [l, p] as const));
  const vectors = await embedder.embed(phrases.map(([, p]) => p));
  const centroids = labels.map((l) => {
    const mine = vectors.filter((_, i) => phrases[i]![0] === l).map(unit);
    return unit(mine[0]!.map((_, d) => mine.reduce((a, v) => a + v[d]!, 0) / mine.length));
  });
  return { labels, centroids };
}

function embeddingIndex(embedder: Embedder): Promise<EmbeddingIndex> {
  let p = indexes.get(embedder.name);
  if (!p) {
    p = buildIndex(embedder);
    p.catch(() => indexes.delete(embedder.name));
    indexes.set(embedder.name, p);
  }
  return p;
}

/** Below this cosine similarity to the nearest centroid, the embedding answer is `other`. */
export const EMBEDDING_THRESHOLD = 0.5;

/** Nearest centroid by cosine similarity; confidence is the similarity (clamped to [0, 1]). */
export async function embeddingCategorize(embedder: Embedder, items: readonly CategorizeInput[]): Promise<Categorization[]> {
  if (!items.length) return [];
  const index = await embeddingIndex(embedder);
  const vectors = await embedder.embed(items.map((it) => `${it.description} ${it.counterparty ?? ""}`.trim()));
  if (vectors.length !== items.length) throw new Error("embedder returned the wrong number of vectors");
  return vectors.map((raw) => {
    const v = unit(raw);
    let best = 0;
    let bestSim = -Infinity;
    index.centroids.forEach((c, k) => {
      const sim = c.reduce((a, x, d) => a + x * (v[d] ?? 0), 0);
      if (sim > bestSim) [best, bestSim] = [k, sim];
    });
    const confidence = Math.round(Math.max(0, Math.min(1, bestSim)) * 1000) / 1000;
    return { category: confidence >= EMBEDDING_THRESHOLD ? index.labels[best]! : "other", confidence, source: "workers_ai" as const };
  });
}

/**
 * Rules, then the embedder (when given) for what the rules left, else the tfjs model; the tfjs model
 * also answers when the embedder throws. One answer per item, in order.
 */
export async function categorizeAll(
  items: readonly CategorizeInput[],
  opts: { embedder?: Embedder; onFallback?: (err: unknown) => void } = {},
): Promise<Categorization[]> {
  const out: (Categorization | null)[] = items.map((it) => ruleCategory(it.description, it.amount));
  const todo = items.map((it, i) => ({ it, i })).filter(({ i }) => out[i] === null);
  if (!todo.length) return out as Categorization[];
  let answers: Categorization[] | undefined;
  if (opts.embedder) {
    try {
      answers = await embeddingCategorize(
        opts.embedder,
        todo.map((t) => t.it),
      );
    } catch (err) {
      opts.onFallback?.(err);
    }
  }
  answers ??= modelCategorize(
    await getCategorizer(),
    todo.map((t) => t.it),
  ); // the rules ran above
  todo.forEach(({ i }, j) => (out[i] = answers![j]!));
  return out as Categorization[];
}

export { CATEGORIES };
