/**
 * Transaction categorisation: high-precision keyword rules, then a small tfjs classifier over
 * hashed word / character n-grams of the description plus the amount's sign and magnitude.
 * The first layer is an embedding bag: a line hits ~100 of the 16 384 hashed buckets, so its hidden
 * vector is the weighted sum of those rows of the first-layer matrix (gather, scale, segment-sum),
 * never a dense 16 384-wide input. Pure: the artefact is passed in (the worker imports it as a
 * module), nothing touches I/O.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { CATEGORIES, isCategory, type Category } from "./taxonomy";
import { BOILERPLATE, normalizeText } from "./text";

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

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** FNV-1a state after the characters of `s` (continuing from `h`). */
function fnvFeed(h: number, s: string, from = 0, to = s.length): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}
const CHAR_PREFIX = fnvFeed(FNV_OFFSET, "c:");

/**
 * Bucket of every feature `textFeatures` lists, in the same order, without building the character
 * n-gram strings: each is hashed from its padded word in place (fnv1a(`c:${gram}`), computed incrementally).
 */
function featureBuckets(all: readonly string[], cfg: FeaturizerConfig, out: (bucket: number) => void): void {
  const bucket = (h: number) => out((h >>> 0) % cfg.buckets);
  const word = (t: string) => bucket(fnvFeed(FNV_OFFSET, `w:${t}`));
  const toks = cfg.boilerplateWordsOnly ? all.filter((t) => !BOILERPLATE.has(t)) : all;
  if (cfg.boilerplateWordsOnly) for (const t of all) if (BOILERPLATE.has(t)) word(t);
  const grams = cfg.charGrams ?? [3, 4];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    word(t);
    if (i + 1 < toks.length) bucket(fnvFeed(FNV_OFFSET, `b:${t}_${toks[i + 1]}`));
    const padded = `<${t}>`;
    for (const n of grams) for (let j = 0; j + n <= padded.length; j++) bucket(fnvFeed(CHAR_PREFIX, padded, j, j + n));
  }
}

/**
 * Sparse features of one line: bucket indices (text buckets ascending, then the amount's) and values,
 * the L2-normalised log counts of the hashed text features, then the amount's sign, log size and size bin.
 */
export function sparseFeatures(
  description: string,
  amount: number,
  counterparty?: string | null,
  cfg: FeaturizerConfig = DEFAULT_FEATURIZER,
  cache?: Map<string, TextPart>,
): { idx: number[]; val: number[] } {
  const text = textPart(tokenize(description, counterparty), cfg, cache);
  const idx = [...text.idx];
  const val = [...text.val];
  const abs = Math.abs(amount);
  const o = cfg.buckets;
  if (amount > 0) idx.push(o), val.push(1);
  if (amount < 0) idx.push(o + 1), val.push(1);
  const size = Math.log10(abs + 1) / 7; // ~[0,1] for amounts up to 100 000.00
  if (size) idx.push(o + 2), val.push(size);
  idx.push(o + 3 + Math.min(cfg.amountBins - 1, Math.max(0, Math.floor(Math.log10(abs + 1)))));
  val.push(1);
  return { idx, val };
}

export interface TextPart {
  idx: readonly number[];
  val: readonly number[];
}

/**
 * The text features of a token list. A statement repeats its merchants ("CB CARREFOUR 0423 12/03",
 * "CB CARREFOUR 0423 19/03" tokenize alike): a batch passes a cache so each distinct token list is hashed once.
 */
function textPart(tokens: readonly string[], cfg: FeaturizerConfig, cache?: Map<string, TextPart>): TextPart {
  const key = tokens.join(" ");
  const hit = cache?.get(key);
  if (hit) return hit;
  const counts = new Map<number, number>();
  featureBuckets(tokens, cfg, (b) => counts.set(b, (counts.get(b) ?? 0) + 1));
  const idx = [...counts.keys()].sort((a, b) => a - b);
  const val = idx.map((b) => Math.log1p(counts.get(b)!));
  const norm = Math.sqrt(val.reduce((a, v) => a + v * v, 0)) || 1;
  for (let i = 0; i < val.length; i++) val[i]! /= norm;
  const part = { idx, val };
  cache?.set(key, part);
  return part;
}

/** Dense feature vector (the same values as `sparseFeatures`, for training and tests). */
export function featurize(
  description: string,
  amount: number,
  counterparty?: string | null,
  cfg: FeaturizerConfig = DEFAULT_FEATURIZER,
): Float32Array {
  const v = new Float32Array(featureSize(cfg));
  const { idx, val } = sparseFeatures(description, amount, counterparty, cfg);
  idx.forEach((i, j) => (v[i] = val[j]!));
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
  // ...and money moved back from one is a transfer (its interest is income)
  { re: /^(?!.*\bINTERETS?\b).*\b(VIR|VIREMENT)\b.*\b(LIVRET|LDDS|LEP|PEL)\b/, category: "transfers", sign: 1 },
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
  /** first layer [features, hidden]: the embedding-bag table */
  w1: tf.Tensor2D;
  b1: tf.Tensor1D;
  w2: tf.Tensor2D;
  b2: tf.Tensor1D;
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

/**
 * Decodes the artefact's two dense layers (uint8-dequantised by tfjs) into tensors kept for the isolate's
 * life. The layers runtime is not needed: the network is two matrix products, the first one sparse.
 */
export async function loadCategorizer(artifact: CategorizerArtifact): Promise<Categorizer> {
  if (artifact.format !== "edge-finance/categorizer@1") throw new Error(`unknown artefact format ${artifact.format}`);
  const labels = artifact.labels.map((l) => {
    if (!isCategory(l)) throw new Error(`unknown label ${l}`);
    return l;
  });
  if (tf.getBackend() !== "cpu") await tf.setBackend("cpu");
  await tf.ready();
  const named = tf.io.decodeWeights(base64ToArrayBuffer(artifact.weightData), artifact.weightSpecs);
  const [w1, b1, w2, b2] = artifact.weightSpecs.map((spec) => named[spec.name]!);
  const dim = featureSize(artifact.featurizer);
  if (!w1 || !b1 || !w2 || !b2 || w1.shape[0] !== dim || w2.shape[1] !== labels.length)
    throw new Error("artefact weights do not match its featurizer and labels");
  return {
    w1: w1 as tf.Tensor2D,
    b1: b1 as tf.Tensor1D,
    w2: w2 as tf.Tensor2D,
    b2: b2 as tf.Tensor1D,
    labels,
    featurizer: artifact.featurizer,
    threshold: artifact.threshold,
  };
}

/**
 * Softmax probabilities for a batch (rows follow `items`), in plain typed arrays: at ~100 rows of 32
 * a line the work is a few thousand multiply-adds, far below what dispatching tfjs ops costs. The first
 * layer is an embedding bag: each distinct token list's text part (the value-weighted sum of its rows)
 * is computed once per batch, then the amount's rows are added; relu, the 32 × 19 output layer, softmax.
 */
export function predictProba(c: Categorizer, items: readonly CategorizeInput[]): Float32Array[] {
  if (items.length === 0) return [];
  const { w1, b1, w2, b2, hidden: h, classes: k } = denseWeights(c);
  const o = c.featurizer.buckets;
  const textCache = new Map<string, Float32Array>();
  const x = new Float64Array(h);
  const logits = new Float64Array(k);
  const addRow = (row: number, v: number) => {
    const base = row * h;
    for (let u = 0; u < h; u++) x[u]! += v * w1[base + u]!;
  };
  return items.map((it) => {
    const tokens = tokenize(it.description, it.counterparty);
    const key = tokens.join(" ");
    let text = textCache.get(key);
    if (!text) {
      const part = textPart(tokens, c.featurizer);
      x.fill(0);
      for (let j = 0; j < part.idx.length; j++) addRow(part.idx[j]!, part.val[j]!);
      text = Float32Array.from(x);
      textCache.set(key, text);
    }
    for (let u = 0; u < h; u++) x[u] = text[u]!;
    const abs = Math.abs(it.amount);
    if (it.amount > 0) addRow(o, 1);
    if (it.amount < 0) addRow(o + 1, 1);
    const size = Math.log10(abs + 1) / 7; // as sparseFeatures
    if (size) addRow(o + 2, size);
    addRow(o + 3 + Math.min(c.featurizer.amountBins - 1, Math.max(0, Math.floor(Math.log10(abs + 1)))), 1);
    for (let u = 0; u < h; u++) x[u] = Math.max(0, x[u]! + b1[u]!);
    for (let q = 0; q < k; q++) logits[q] = b2[q]!;
    for (let u = 0; u < h; u++) {
      const xu = x[u]!;
      if (xu === 0) continue;
      const base = u * k;
      for (let q = 0; q < k; q++) logits[q]! += xu * w2[base + q]!;
    }
    let max = -Infinity;
    for (let q = 0; q < k; q++) max = Math.max(max, logits[q]!);
    let sum = 0;
    for (let q = 0; q < k; q++) sum += logits[q] = Math.exp(logits[q]! - max);
    const p = new Float32Array(k);
    for (let q = 0; q < k; q++) p[q] = logits[q]! / sum;
    return p;
  });
}

interface DenseWeights {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
  hidden: number;
  classes: number;
}
const denseCache = new WeakMap<Categorizer, DenseWeights>();
/** The layers' values read out of tfjs once per categoriser (the isolate keeps one). */
function denseWeights(c: Categorizer): DenseWeights {
  let d = denseCache.get(c);
  if (!d) {
    d = {
      w1: c.w1.dataSync() as Float32Array,
      b1: c.b1.dataSync() as Float32Array,
      w2: c.w2.dataSync() as Float32Array,
      b2: c.b2.dataSync() as Float32Array,
      hidden: c.w1.shape[1],
      classes: c.w2.shape[1],
    };
    denseCache.set(c, d);
  }
  return d;
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
