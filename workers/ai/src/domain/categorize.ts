/**
 * Transaction categorisation: high-precision keyword rules, then a small tfjs classifier over
 * hashed word / character n-grams of the description plus the amount's sign and magnitude.
 * Pure: the artefact is passed in (the worker imports it as a module), nothing touches I/O.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { loadLayersModel, type LayersModel } from "@tensorflow/tfjs-layers";
import { CATEGORIES, isCategory, type Category } from "./taxonomy";
import { BOILERPLATE, fnv1a, normalizeText } from "./text";

export interface FeaturizerConfig {
  /** hashed text buckets */
  buckets: number;
  /** one-hot bins of floor(log10(|amount minor units|)) */
  amountBins: number;
  /** character n-gram sizes (default [3, 4]) */
  charGrams?: number[];
  /** bank boilerplate (CB, PRLV, SEPA, POS…) gives a word feature only: no char grams, no bigrams */
  boilerplateWordsOnly?: boolean;
}

export const DEFAULT_FEATURIZER: FeaturizerConfig = { buckets: 16384, amountBins: 8, charGrams: [3, 4, 5], boilerplateWordsOnly: true };

export const featureSize = (cfg: FeaturizerConfig): number => cfg.buckets + 3 + cfg.amountBins;

/**
 * Words with digits collapsed ("0423" dropped, "B2B" -> "B#B"): store numbers and dates carry no class.
 * Runs of single letters are one word again ("H-E-B" -> "H E B" -> "HEB").
 */
export function tokenize(description: string, counterparty?: string | null): string[] {
  const words = normalizeText(`${description} ${counterparty ?? ""}`)
    .split(" ")
    .filter((t) => t && !/^\d+$/.test(t))
    .map((t) => t.replace(/\d+/g, "#"));
  const single = (t?: string) => t !== undefined && /^[A-Z]$/.test(t);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (single(words[i]) && single(words[i + 1])) {
      let run = words[i]!;
      while (single(words[i + 1])) run += words[++i];
      out.push(run);
    } else out.push(words[i]!);
  }
  return out;
}

/** Feature strings: words, word bigrams and 3/4-character grams (robust to truncation and typos). */
export function textFeatures(
  description: string,
  counterparty?: string | null,
  cfg: Pick<FeaturizerConfig, "charGrams" | "boilerplateWordsOnly"> = {},
): string[] {
  const all = tokenize(description, counterparty);
  const out: string[] = [];
  const toks = cfg.boilerplateWordsOnly ? all.filter((t) => !BOILERPLATE.has(t)) : all;
  if (cfg.boilerplateWordsOnly) for (const t of all) if (BOILERPLATE.has(t)) out.push(`w:${t}`);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    out.push(`w:${t}`);
    if (i + 1 < toks.length) out.push(`b:${t}_${toks[i + 1]}`);
    const padded = `<${t}>`;
    for (const n of cfg.charGrams ?? [3, 4]) {
      for (let j = 0; j + n <= padded.length; j++) out.push(`c:${padded.slice(j, j + n)}`);
    }
  }
  return out;
}

/** Dense feature vector: L2-normalised log counts of hashed text features, then amount features. */
export function featurize(
  description: string,
  amount: number,
  counterparty?: string | null,
  cfg: FeaturizerConfig = DEFAULT_FEATURIZER,
): Float32Array {
  const v = new Float32Array(featureSize(cfg));
  for (const f of textFeatures(description, counterparty, cfg)) v[fnv1a(f) % cfg.buckets]! += 1;
  let norm = 0;
  for (let i = 0; i < cfg.buckets; i++) {
    if (v[i]) {
      v[i] = Math.log1p(v[i]!);
      norm += v[i]! * v[i]!;
    }
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < cfg.buckets; i++) if (v[i]) v[i]! /= norm;
  const abs = Math.abs(amount);
  const o = cfg.buckets;
  v[o] = amount > 0 ? 1 : 0;
  v[o + 1] = amount < 0 ? 1 : 0;
  v[o + 2] = Math.log10(abs + 1) / 7; // ~[0,1] for amounts up to 100 000.00
  const bin = Math.min(cfg.amountBins - 1, Math.max(0, Math.floor(Math.log10(abs + 1))));
  v[o + 3 + bin] = 1;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Rules: only patterns that are unambiguous on any bank statement.

export type Source = "rule" | "model" | "workers_ai";

export interface Categorization {
  category: Category;
  confidence: number;
  source: Source;
}

const RULES: Array<{ re: RegExp; category: Category; sign?: 1 | -1 }> = [
  { re: /\b(SALAIRE|PAYROLL|DIRECT DEP)\b/, category: "income", sign: 1 },
  { re: /\b(DGFIP|IMPOTS?|TRESOR PUBLIC|IRS USATAXPYMT|FRANCHISE TAX|AMENDES?)\b/, category: "taxes", sign: -1 },
  {
    re: /\b(FRAIS TENUE|COMMISSION D INTERVENTION|COTISATION CARTE|AGIOS|OVERDRAFT FEE|MONTHLY SERVICE FEE|MAINTENANCE FEE|NSF FEE|ATM FEE)\b/,
    category: "fees",
    sign: -1,
  },
  { re: /\b(LOYER|MONTHLY RENT)\b/, category: "housing", sign: -1 },
  // money in from a savings account is a transfer between own accounts (interest is income): outflows only
  { re: /\b(LIVRET A|LDDS|LEP|PEL|ASSURANCE VIE VERSEMENT)\b/, category: "savings", sign: -1 },
];

/** Returns a category only when a rule is certain; otherwise null (the model decides). */
export function ruleCategory(description: string, amount?: number): Categorization | null {
  const text = normalizeText(description);
  for (const r of RULES) {
    if (r.sign && amount !== undefined && Math.sign(amount) !== r.sign) continue;
    if (r.re.test(text)) return { category: r.category, confidence: 1, source: "rule" };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Model artefact and inference.

/** What `ai/training/train.ts` writes (ai/models/categorizer/model.json and artifact.ts). */
export interface CategorizerArtifact {
  format: "edge-finance/categorizer@1";
  labels: readonly string[];
  featurizer: FeaturizerConfig;
  /** below this softmax probability the answer is `other` */
  threshold: number;
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** base64 of the concatenated (uint8-quantised) weights */
  weightData: string;
  trainedAt?: string;
  metrics?: Record<string, number>;
}

export interface Categorizer {
  model: LayersModel;
  labels: Category[];
  featurizer: FeaturizerConfig;
  threshold: number;
}

export interface CategorizeInput {
  description: string;
  amount: number;
  counterparty?: string | null;
}

/** atob instead of Buffer: this runs in workerd. */
function base64ToArrayBuffer(b64: string): ArrayBuffer {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

export async function loadCategorizer(artifact: CategorizerArtifact): Promise<Categorizer> {
  if (artifact.format !== "edge-finance/categorizer@1") throw new Error(`unknown artefact format ${artifact.format}`);
  const labels = artifact.labels.map((l) => {
    if (!isCategory(l)) throw new Error(`unknown label ${l}`);
    return l;
  });
  if (tf.getBackend() !== "cpu") await tf.setBackend("cpu");
  await tf.ready();
  const model = await loadLayersModel(
    tf.io.fromMemory({
      modelTopology: artifact.modelTopology,
      weightSpecs: artifact.weightSpecs,
      weightData: base64ToArrayBuffer(artifact.weightData),
    }),
  );
  return { model, labels, featurizer: artifact.featurizer, threshold: artifact.threshold };
}

/** Softmax probabilities for a batch (rows follow `items`). */
export function predictProba(c: Categorizer, items: readonly CategorizeInput[]): Float32Array[] {
  if (items.length === 0) return [];
  const dim = featureSize(c.featurizer);
  const flat = new Float32Array(items.length * dim);
  items.forEach((it, i) => flat.set(featurize(it.description, it.amount, it.counterparty, c.featurizer), i * dim));
  return tf.tidy(() => {
    const out = c.model.predict(tf.tensor2d(flat, [items.length, dim])) as tf.Tensor2D;
    const data = out.dataSync() as Float32Array;
    const k = c.labels.length;
    return items.map((_, i) => data.slice(i * k, (i + 1) * k));
  });
}

/** The model alone (no rules); `other` when it is unsure. One answer per item, in order. */
export function modelCategorize(c: Categorizer, items: readonly CategorizeInput[]): Categorization[] {
  return predictProba(c, items).map((p) => {
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    const confidence = Math.round(p[best]! * 1000) / 1000;
    return { category: confidence >= c.threshold ? c.labels[best]! : "other", confidence, source: "model" };
  });
}

/** Rules first, then the model for what they leave. One answer per item, in order. */
export function categorize(c: Categorizer, items: readonly CategorizeInput[]): Categorization[] {
  const out: Array<Categorization | null> = items.map((it) => ruleCategory(it.description, it.amount));
  const todo = items.map((it, i) => ({ it, i })).filter(({ i }) => out[i] === null);
  const answers = modelCategorize(
    c,
    todo.map((t) => t.it),
  );
  todo.forEach(({ i }, j) => (out[i] = answers[j]!));
  return out as Categorization[];
}

export { CATEGORIES };
