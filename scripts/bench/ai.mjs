// AI endpoints under load through the gateway: categorising 500 lines and a 90-day forecast on two years
// of history (seeded through the API as a CSV import), then the ai worker's bundle size gzipped.
// Called by scripts/bench.mjs with `b = { origin, token, measure(name, requestFn, { clients, requests }) }`.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { day, historyCsv } from "../../tests/shared/history-csv.mjs";
import { BENCH_LINES } from "./ai-lines.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** p50 latency of `count` sequential calls of `fn` (one client), printed and returned in ms. */
async function p50(name, fn, count) {
  const ms = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const p = ms[Math.floor(ms.length / 2)];
  console.log(
    `${name.padEnd(58)} ${String(count).padStart(6)} req   1 client  p50 ${p.toFixed(1).padStart(7)} ms  p90 ${ms[Math.floor(ms.length * 0.9)].toFixed(1).padStart(7)} ms`,
  );
  return p;
}

/** The last Server-Timing header per path: where the time went inside the workers (total, D1, Durable Objects). */
const timing = new Map();

export default async function aiBench(b) {
  const auth = { authorization: `Bearer ${b.token}` };
  const send = (method, pathname, body) => async () => {
    const res = await fetch(b.origin + pathname, {
      method,
      headers: { ...auth, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${pathname} → ${res.status} ${text.slice(0, 200)}`);
    timing.set(pathname.split("?")[0], res.headers.get("server-timing") ?? "");
    return { status: res.status };
  };

  // Two years of history through the API.
  const acc = await (
    await fetch(`${b.origin}/v1/accounts`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "AI bench", type: "checking", currency: "EUR", overdraft_limit: null }),
    })
  ).json();
  const asOf = new Date().toISOString().slice(0, 10);
  const imp = await fetch(`${b.origin}/v1/accounts/${acc.id}/imports`, {
    method: "POST",
    headers: { ...auth, "content-type": "text/csv" },
    body: historyCsv(day(asOf, -730), asOf, { cafes: true }),
  });
  const summary = await imp.json();
  if (!imp.ok) throw new Error(`import → ${imp.status} ${JSON.stringify(summary).slice(0, 200)}`);
  const forecastPath = `/v1/ai/forecast?account_id=${acc.id}&horizon=90&as_of=${asOf}`;
  for (let i = 0; i < 200; i++) {
    const r = await fetch(b.origin + forecastPath, { headers: auth });
    await r.arrayBuffer();
    if (r.ok) break;
    await new Promise((r) => setTimeout(r, 250)); // the D1 projection is asynchronous
  }
  console.log(`seeded ${summary.imported} transactions (two years) on ${acc.id}`);

  const lines = BENCH_LINES;
  const categorize500 = send("POST", "/v1/ai/categorize", { transactions: lines });
  const anomaliesPath = `/v1/ai/anomalies?account_id=${acc.id}`;

  // Single client, one request at a time: each endpoint's p50 as a ratio to /health's p50 from the same run,
  // so the figures compare across machines and loads (the targets are ratios).
  const n = (k) => Math.max(5, Math.round(k * (b.scale ?? 1)));
  const health = await p50(
    "GET /health (1 client)",
    async () => {
      const r = await fetch(`${b.origin}/health`);
      await r.arrayBuffer();
    },
    n(400),
  );
  const targets = [
    ["POST /v1/ai/categorize (500 lines)", categorize500, 3, n(40)],
    ["GET /v1/ai/forecast (90 days, 2 years)", send("GET", forecastPath), 3, n(40)],
    ["GET /v1/ai/anomalies (2 years)", send("GET", anomaliesPath), 4, n(40)],
    ["GET /v1/ai/recommendations (2 years)", send("GET", "/v1/ai/recommendations"), 4, n(40)],
  ];
  for (const [name, fn, limit, count] of targets) {
    await fn(); // warm the isolate (model load, JIT) before timing
    const p = await p50(`${name} (1 client)`, fn, count);
    const ratio = p / health;
    const st = [...timing].find(([p]) => name.includes(p))?.[1] ?? "";
    console.log(
      `  → ${ratio.toFixed(2)}× /health p50 (target ≤ ${limit}×)${ratio > limit ? "  OVER TARGET" : ""}; last Server-Timing: ${st}`,
    );
  }

  await b.measure("ai: POST /v1/ai/categorize (500 lines, tfjs)", categorize500, { clients: 4, requests: 100 });
  await b.measure("ai: POST /v1/ai/categorize (1 line)", send("POST", "/v1/ai/categorize", { transactions: [lines[0]] }), {
    clients: 8,
    requests: 500,
  });
  await b.measure("ai: GET /v1/ai/forecast (90 days, 2 years of history)", send("GET", forecastPath), { clients: 4, requests: 200 });

  // Bundle size of the ai worker as deployed (tfjs core + layers + cpu backend + the model artefact).
  const out = path.join(ROOT, ".tmp", "ai-bundle");
  rmSync(out, { recursive: true, force: true });
  const wrangler = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  const r = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", out, "-c", "workers/ai/wrangler.toml"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (r.status !== 0) {
    console.log(`ai bundle: build failed (${(r.stderr || r.stdout).slice(-300)})`);
    return;
  }
  let raw = 0;
  let gz = 0;
  const walk = (dir) => {
    for (const f of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, f.name);
      if (f.isDirectory()) walk(full);
      else if (/\.(js|mjs)$/.test(f.name)) {
        raw += statSync(full).size;
        gz += gzipSync(readFileSync(full), { level: 9 }).length;
      }
    }
  };
  walk(out);
  // wrangler may keep the bundle to itself: its own "Total Upload: X KiB / gzip: Y KiB" line then says it.
  const m = /Total Upload:\s*([\d.]+) KiB \/ gzip:\s*([\d.]+) KiB/.exec(r.stdout + r.stderr);
  if (!gz && m) [raw, gz] = [Number(m[1]) * 1024, Number(m[2]) * 1024];
  console.log(`ai worker bundle: ${(raw / 1024).toFixed(0)} KiB raw, ${(gz / 1024).toFixed(0)} KiB gzipped (wrangler deploy --dry-run)`);

  // Startup: `wrangler check startup` builds the worker and profiles its startup phase in a local workerd.
  const cs = spawnSync(
    process.execPath,
    [wrangler, "check", "startup", "-c", "workers/ai/wrangler.toml", "--outfile", path.join(out, "startup.cpuprofile")],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  const text = cs.stdout + cs.stderr;
  const pick = (re) => re.exec(text)?.[1]?.trim();
  console.log(
    cs.status === 0
      ? `ai worker startup (wrangler check startup): active ${pick(/Active:\s*([^\n]+)/)}, window ${pick(/Profile window:\s*([^\n]+)/)}; bundle ${pick(/Bundle:\s*([^\n]+)/)}`
      : `ai worker startup: wrangler check startup failed (${text.slice(-300)})`,
  );
}
