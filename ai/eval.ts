/**
 * `npm run ai:eval` (tsx ai/eval.ts): evaluates every AI component against baselines and writes
 * ai/EVAL.md (the printed figures) and ai/forecast.svg (a forecast, its 80 % interval, actuals).
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import artifact from "./models/categorizer/artifact";
import { categorize, loadCategorizer, predictProba } from "../workers/ai/src/domain/categorize";
import { CATEGORIES } from "../workers/ai/src/domain/taxonomy";
import { dailySeries, flatForecast, forecast, seasonalNaiveForecast, _internal } from "../workers/ai/src/domain/forecast";
import { detectAnomalies } from "../workers/ai/src/domain/anomalies";
import { detectRecurring } from "../workers/ai/src/domain/recommendations";
import { fromDay, toDay } from "../workers/ai/src/domain/dates";
import { normalizeText } from "../workers/ai/src/domain/text";
import { HELDOUT } from "./training/heldout";
import { HELDOUT_2 } from "./training/heldout2";
import { DEVSET } from "./training/devset";
import { BRANDS } from "./training/generate";
import { generateHistory } from "./training/history";

const HERE = dirname(fileURLToPath(import.meta.url));
const lines: string[] = [];
const say = (s = "") => {
  console.log(s);
  lines.push(s);
};
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

// ---------------------------------------------------------------- categorisation
type LabelledSet = ReadonlyArray<readonly [string, number, string]>;
const SETS: Array<{ title: string; set: LabelledSet; table: boolean }> = [
  {
    title:
      "test set v2 (ai/training/heldout2.ts: blind, written apart from the training lists, the model and the other sets; never used for tuning)",
    set: HELDOUT_2,
    table: true,
  },
  {
    title:
      "test set v1 (ai/training/heldout.ts: merchants chosen to be absent from the first training lists; since seen during development, so no longer blind)",
    set: HELDOUT,
    table: false,
  },
  { title: "development set (ai/training/devset.ts: blind when written, then used to tune)", set: DEVSET, table: false },
];
// Any training brand (every list the generator draws from), for the seen/unseen split.
const TRAIN_BRANDS = Object.values(BRANDS)
  .flat()
  .map((b) => normalizeText(b))
  .filter((b) => b.length >= 4);

async function evalCategorizer(): Promise<void> {
  const c = await loadCategorizer(artifact);
  for (const { title, set, table } of SETS) {
    const items = set.map(([description, amount]) => ({ description, amount }));
    const truth = set.map(([, , cat]) => cat);
    const pipeline = categorize(c, items).map((r) => r.category);
    const modelOnly = predictProba(c, items).map((p) => CATEGORIES[p.indexOf(Math.max(...p))]!);
    const acc = (pred: string[], idx = truth.map((_, i) => i)) => idx.filter((i) => pred[i] === truth[i]).length / (idx.length || 1);
    // Which lines mention a merchant from the training lists (a word-boundary match)?
    const seen = items.map((it) => {
      const text = ` ${normalizeText(it.description)} `;
      return TRAIN_BRANDS.some((b) => text.includes(` ${b} `));
    });
    const seenIdx = truth.map((_, i) => i).filter((i) => seen[i]);
    const unseenIdx = truth.map((_, i) => i).filter((i) => !seen[i]);

    say(`## Categorisation: ${title}`);
    say();
    say(`lines: ${truth.length} (${unseenIdx.length} name no merchant of the training lists, ${seenIdx.length} name one)`);
    say(`accuracy, rules + model + threshold (production path): ${pct(acc(pipeline))}`);
    say(`accuracy, model argmax only: ${pct(acc(modelOnly))}`);
    say(`accuracy on lines with no training merchant: ${pct(acc(pipeline, unseenIdx))}; with one: ${pct(acc(pipeline, seenIdx))}`);
    say(`majority-class baseline: ${pct(Math.max(...CATEGORIES.map((k) => truth.filter((t) => t === k).length)) / truth.length)}`);
    say();
    if (!table) continue;
    say("| class | precision | recall | F1 | n |");
    say("|---|---|---|---|---|");
    let f1sum = 0;
    for (const k of CATEGORIES) {
      const tp = truth.filter((t, i) => t === k && pipeline[i] === k).length;
      const fp = truth.filter((t, i) => t !== k && pipeline[i] === k).length;
      const n = truth.filter((t) => t === k).length;
      const p = tp / (tp + fp || 1);
      const r = tp / (n || 1);
      const f1 = p + r ? (2 * p * r) / (p + r) : 0;
      f1sum += f1;
      say(`| ${k} | ${p.toFixed(2)} | ${r.toFixed(2)} | ${f1.toFixed(2)} | ${n} |`);
    }
    say(`\nmacro F1: ${(f1sum / CATEGORIES.length).toFixed(3)}`);
    const t0 = performance.now();
    categorize(
      c,
      Array.from({ length: 500 }, (_, i) => items[i % items.length]!),
    );
    say(`latency: 500 lines categorised in ${(performance.now() - t0).toFixed(0)} ms (Node, tfjs cpu backend)`);
    say();
  }
}

// ---------------------------------------------------------------- forecast
function evalForecast(): void {
  const H = 90;
  const sum = { model: 0, snaive: 0, flat: 0, scale: 0, n: 0, cover: 0 };
  const ratios: number[] = [];
  for (let seed = 1; seed <= 8; seed++) {
    const h = generateHistory(seed * 101);
    for (let o = 400; o <= 1000; o += 50) {
      const asOf = toDay("2022-01-01") + o;
      const s = dailySeries(h.transactions, h.opening_balance, asOf + H);
      const train = _internal.head(s, H);
      const act = _internal.tailBalances(s, H);
      const mae = (p: number[]) => p.reduce((a, v, i) => a + Math.abs(v - act[i]!), 0) / p.length;
      const f = forecast({ entries: h.transactions, opening_balance: h.opening_balance, as_of: fromDay(asOf), horizon: H });
      const m = mae(f.points.map((p) => p.balance));
      const sn = mae(seasonalNaiveForecast(train, H));
      sum.model += m;
      sum.snaive += sn;
      sum.flat += mae(flatForecast(train, H));
      sum.n++;
      sum.scale += train.flows.reduce((a, x) => a + Math.abs(x), 0) / train.flows.length;
      sum.cover += f.points.filter((p, i) => act[i]! >= p.lower && act[i]! <= p.upper).length / H;
      ratios.push(m / sn);
    }
  }
  ratios.sort((a, b) => a - b);
  const scale = sum.scale / sum.n;
  const row = (name: string, mae: number) => say(`| ${name} | ${(mae / sum.n / 100).toFixed(2)} | ${(mae / sum.n / scale).toFixed(2)} |`);
  say(`## Forecast (${H}-day balance, 8 synthetic 3-year histories × 13 origins = ${sum.n} forecasts)`);
  say();
  say("MASE = MAE of the balance ÷ mean |daily net flow| in the fitting window (in-sample one-step naive MAE).");
  say();
  say("| method | MAE (major units) | MASE |");
  say("|---|---|---|");
  row("robust seasonal decomposition (ours)", sum.model);
  row("seasonal naive (same day, last month)", sum.snaive);
  row("flat (balance unchanged)", sum.flat);
  say();
  say(
    `MAE ratio ours / seasonal naive: ${(sum.model / sum.snaive).toFixed(3)} (median per forecast ${ratios[ratios.length >> 1]!.toFixed(3)}); ours / flat: ${(sum.model / sum.flat).toFixed(3)}`,
  );
  say(`80 % interval empirical coverage: ${pct(sum.cover / sum.n)}`);
  say();
}

// ---------------------------------------------------------------- anomalies & subscriptions
function evalAnomalies(): void {
  let tp = 0,
    fp = 0,
    fn = 0,
    top = 0,
    topN = 0,
    subsFound = 0,
    subsTotal = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const h = generateHistory(seed * 101);
    const injected = new Set(h.transactions.filter((t) => t.injected).map((t) => t.id));
    const flagged = detectAnomalies(h.transactions);
    const ids = new Set(flagged.map((a) => a.transaction_id));
    tp += [...ids].filter((id) => injected.has(id)).length;
    fp += [...ids].filter((id) => !injected.has(id)).length;
    fn += [...injected].filter((id) => !ids.has(id)).length;
    top += flagged.slice(0, 10).filter((a) => injected.has(a.transaction_id)).length;
    topN += Math.min(10, flagged.length);
    const rec = detectRecurring(h.transactions).map((r) => r.merchant);
    for (const m of ["NETFLIX", "SPOTIFY", "BASIC FIT", "FREE MOBILE", "AMAZON PRIME"]) {
      subsTotal++;
      if (rec.includes(m)) subsFound++;
    }
  }
  say("## Anomalies (injected 4–12× outliers and duplicate charges, 8 histories, minScore 3.5)");
  say();
  say(`precision ${pct(tp / (tp + fp))}, recall ${pct(tp / (tp + fn))}, precision of the top 10 per account ${pct(top / topN)}`);
  say();
  say(
    `## Recurring charges: ${subsFound}/${subsTotal} known subscriptions detected (NETFLIX, SPOTIFY, BASIC FIT, FREE MOBILE, AMAZON PRIME yearly)`,
  );
  say();
}

// ---------------------------------------------------------------- plot
function plot(): void {
  const h = generateHistory(7);
  const asOf = toDay("2024-06-30");
  const H = 120;
  const f = forecast({ entries: h.transactions, opening_balance: h.opening_balance, as_of: fromDay(asOf), horizon: H });
  const s = dailySeries(h.transactions, h.opening_balance, asOf + H);
  let bal = s.opening;
  const actual = s.flows.map((x) => (bal += x) / 100);
  const startPlot = asOf - 120 - s.start;
  const past = actual.slice(startPlot, asOf - s.start + 1);
  const future = actual.slice(asOf - s.start + 1);
  const W = 900,
    Ht = 420,
    P = 50;
  const all = [...past, ...future, ...f.points.flatMap((p) => [p.lower / 100, p.upper / 100])];
  const lo = Math.min(...all),
    hi = Math.max(...all);
  const n = past.length + H;
  const x = (i: number) => P + (i / (n - 1)) * (W - 2 * P);
  const y = (v: number) => Ht - P - ((v - lo) / (hi - lo)) * (Ht - 2 * P);
  const path = (vs: number[], off: number) => vs.map((v, i) => `${i ? "L" : "M"}${x(i + off).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const off = past.length;
  const band = `${f.points.map((p, i) => `${i ? "L" : "M"}${x(i + off).toFixed(1)},${y(p.upper / 100).toFixed(1)}`).join(" ")} ${[
    ...f.points,
  ]
    .reverse()
    .map((p, i) => `L${x(H - 1 - i + off).toFixed(1)},${y(p.lower / 100).toFixed(1)}`)
    .join(" ")} Z`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${Ht}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${P}" y="20" font-size="14">Balance forecast from ${fromDay(asOf)} (${f.method}), 80 % interval, synthetic history seed 7</text>
<path d="${band}" fill="#9ecae1" opacity="0.5"/>
<path d="${path(past, 0)}" stroke="#333" fill="none" stroke-width="1.5"/>
<path d="${path(future, off)}" stroke="#e6550d" fill="none" stroke-width="1.5"/>
<path d="${path(
    f.points.map((p) => p.balance / 100),
    off,
  )}" stroke="#08519c" fill="none" stroke-width="2" stroke-dasharray="5,3"/>
<line x1="${x(off - 1)}" x2="${x(off - 1)}" y1="${P}" y2="${Ht - P}" stroke="#999" stroke-dasharray="2,2"/>
<text x="${P}" y="${Ht - 15}">${fromDay(asOf - 120)}</text><text x="${W - P - 70}" y="${Ht - 15}">${fromDay(asOf + H)}</text>
<text x="5" y="${y(hi) + 4}">${hi.toFixed(0)}</text><text x="5" y="${y(lo) + 4}">${lo.toFixed(0)}</text>
<text x="${W - 260}" y="40" fill="#333">— history</text><text x="${W - 260}" y="56" fill="#e6550d">— actual (held out)</text>
<text x="${W - 260}" y="72" fill="#08519c">- - forecast</text><text x="${W - 260}" y="88" fill="#3182bd">▮ 80 % interval</text>
</svg>\n`;
  writeFileSync(join(HERE, "forecast.svg"), svg);
  say("Plot: ai/forecast.svg");
}

say("# AI evaluation");
say();
say(`Generated by \`npm run ai:eval\` on ${new Date().toISOString().slice(0, 10)}. Model artefact: ${JSON.stringify(artifact.metrics)}.`);
say();
await evalCategorizer();
evalForecast();
evalAnomalies();
plot();
writeFileSync(join(HERE, "EVAL.md"), lines.join("\n") + "\n");
