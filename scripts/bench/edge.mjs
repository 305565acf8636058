// The money path against /health, for `npm run bench` (BENCH_ONLY=edge): payments over 50 accounts,
// every client on one hot source, transactions with a category and balance reads, each at 20 clients
// and with one client, every figure beside the same run's /health; D1 statements and Durable Object
// calls per request from the Server-Timing header; the projection lag under load (a payment's answer
// until its row shows in the D1-backed GET /v1/payments/{id}); then the targets, met or missed.
// One client library throughout: Node's global fetch (undici, keep-alive), to 127.0.0.1 only.
// Called by scripts/bench.mjs with `b = { origin, user, metricsToken, code, scale }`.

const CLIENTS = 20;
const ACCOUNTS = 50;
const LIST_LIMIT = 50;
const LAG_POLLERS = 2; // payments followed at once by the lag sampler
const LAG_EVERY_MS = 100; // at most one new payment followed per interval
const LAG_POLL_GAP_MS = 25;
const LAG_GIVE_UP_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const SLICES = 3; // alternations of /health and each case

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);

/**
 * d1 and do call counts of a Server-Timing value (`name;dur=..;desc="n"`, absent entry = 0), with their
 * durations and the total (`*Ms`); null without the header.
 */
export function timingCounts(value) {
  if (value == null) return null;
  const out = { d1: 0, do: 0, d1Ms: 0, doMs: 0, totalMs: 0 };
  for (const entry of value.split(",")) {
    const [name, ...params] = entry.split(";").map((p) => p.trim());
    const param = (key) =>
      params
        .find((p) => p.toLowerCase().startsWith(`${key}=`))
        ?.slice(key.length + 1)
        .replace(/^"|"$/g, "");
    const dur = Number(param("dur"));
    if (name === "total" && Number.isFinite(dur)) out.totalMs = dur;
    if (name !== "d1" && name !== "do") continue;
    const n = Number(param("desc"));
    if (Number.isInteger(n) && n >= 0) out[name] += n;
    if (Number.isFinite(dur)) out[`${name}Ms`] += dur;
  }
  return out;
}

const stats = (xs) => (xs.length ? { mean: xs.reduce((a, b) => a + b, 0) / xs.length, max: Math.max(...xs) } : null);

/**
 * `clients` loops sending `fn(i)` until `total` requests or `seconds` have gone by. Latency runs until
 * the body is read. `expect` is the status that counts as success; `onAnswer(res, body, answeredAt)`
 * sees every successful answer.
 */
async function drive(fn, { clients, total, seconds, expect, onAnswer, cpu }) {
  const cpuBefore = cpu?.();
  const latencies = [];
  const d1 = [];
  const dos = [];
  const times = [];
  let withoutHeader = 0;
  let errors = 0;
  let firstError;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total && performance.now() < deadline) {
        const i = next++;
        const t0 = performance.now();
        try {
          const res = await fn(i, AbortSignal.timeout(REQUEST_TIMEOUT_MS));
          const body = await res.text();
          const t1 = performance.now();
          latencies.push(t1 - t0);
          const counts = timingCounts(res.headers.get("server-timing"));
          if (counts) d1.push(counts.d1), dos.push(counts.do), times.push(counts);
          else withoutHeader++;
          if (res.status !== expect) {
            errors++;
            firstError ??= `${res.status} ${body.slice(0, 100)}`;
          } else onAnswer?.(res, body, t1);
        } catch (e) {
          latencies.push(performance.now() - t0);
          errors++;
          firstError ??= String(e?.message ?? e).slice(0, 100);
        }
      }
    }),
  );
  const cpuAfter = cpu?.();
  const cpuMs = cpuBefore && cpuAfter ? { runtime: cpuAfter.runtime - cpuBefore.runtime, proxy: cpuAfter.proxy - cpuBefore.proxy } : null;
  return { latencies, seconds: (performance.now() - started) / 1000, errors, firstError, d1, dos, times, withoutHeader, cpuMs };
}

/** One figure from several slices of the same load: requests over summed time, quantiles over every latency. */
function summarize(parts) {
  const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const seconds = parts.reduce((t, p) => t + p.seconds, 0);
  return {
    n: latencies.length,
    rps: latencies.length / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    errors: parts.reduce((t, p) => t + p.errors, 0),
    firstError: parts.find((p) => p.firstError)?.firstError,
    d1: stats(parts.flatMap((p) => p.d1)),
    do: stats(parts.flatMap((p) => p.dos)),
    withoutHeader: parts.reduce((t, p) => t + p.withoutHeader, 0),
    times: parts.flatMap((p) => p.times),
    // CPU the stack's workerd processes used per request while the slices ran (after-answer work included)
    cpuPerReq: parts.every((p) => p.cpuMs)
      ? {
          runtime: parts.reduce((t, p) => t + p.cpuMs.runtime, 0) / latencies.length,
          proxy: parts.reduce((t, p) => t + p.cpuMs.proxy, 0) / latencies.length,
        }
      : null,
  };
}

/**
 * `fn` and /health in alternating slices (health, case, health, case, ...), so that the load other
 * programs put on a shared machine weighs on both alike and the ratio between them stays meaningful.
 */
async function alternate(health, fn, { clients, total, seconds, healthTotal, healthSeconds, expect, onAnswer, cpu }) {
  const ref = [];
  const run = [];
  for (let k = 0; k < SLICES; k++) {
    ref.push(await drive(health, { clients, total: Math.ceil(healthTotal / SLICES), seconds: healthSeconds / SLICES, expect: 200, cpu }));
    run.push(await drive(fn, { clients, total: Math.ceil(total / SLICES), seconds: seconds / SLICES, expect, onAnswer, cpu }));
  }
  return { ref: summarize(ref), run: summarize(run) };
}

/**
 * Follows a few payments after their answer: polls GET /v1/payments/{id} until the payments worker
 * answers it from D1. A payment D1 does not hold yet is answered from the caller's account objects,
 * after one more D1 read (the caller's accounts): such an answer counts as a miss. The row became visible between the send of the last poll that missed it (the
 * answer itself when the first poll sees it) and the answer of the poll that saw it: both bounds are kept.
 */
function lagSampler(origin, headers) {
  // The row became visible after the last poll that missed it was sent and before the one that saw it answered.
  const upper = [];
  const lower = [];
  const pending = new Set();
  let active = 0;
  let lastStart = -Infinity;
  let firstPollHits = 0;
  let gaveUp = 0;
  let errors = 0;
  let viewReadsObject = 0;
  let viewReadsD1 = 0;
  let stopped = false;
  async function follow(id, answeredAt) {
    let missedAt = answeredAt; // send time of the last poll that did not see the row
    for (let polls = 0; ; polls++) {
      const sent = performance.now();
      let res;
      try {
        res = await fetch(`${origin}/v1/payments/${id}`, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        await res.arrayBuffer();
      } catch {
        errors++;
        return;
      }
      const now = performance.now();
      const counts = timingCounts(res.headers.get("server-timing"));
      const fromObject = (counts?.d1 ?? 0) > 1;
      if (res.status === 200 && !fromObject) {
        upper.push(now - answeredAt);
        lower.push(missedAt - answeredAt);
        if (polls === 0) firstPollHits++;
        // The gateway may call an object of its own (the caller's state): D1 used at all means the view read it.
        if (counts?.d1) viewReadsD1++;
        else if (counts?.do) viewReadsObject++;
        return;
      }
      if (res.status !== 404 && !fromObject) {
        errors++;
        return;
      }
      missedAt = sent;
      if (now - answeredAt > LAG_GIVE_UP_MS) {
        gaveUp++;
        upper.push(Infinity);
        lower.push(missedAt - answeredAt);
        return;
      }
      await sleep(LAG_POLL_GAP_MS);
    }
  }
  return {
    offer(id, answeredAt) {
      if (stopped || active >= LAG_POLLERS || answeredAt - lastStart < LAG_EVERY_MS) return;
      active++;
      lastStart = answeredAt;
      const p = follow(id, answeredAt).finally(() => {
        active--;
        pending.delete(p);
      });
      pending.add(p);
    },
    async finish() {
      // Payments already followed are waited for (up to the give-up time); no new ones are taken.
      stopped = true;
      await Promise.all(pending);
      return { upper, lower, firstPollHits, gaveUp, errors, viewReadsObject, viewReadsD1 };
    },
  };
}

/**
 * The projection-lag histograms in /metrics (series named *lag*_bucket), summed over label sets:
 * family → le → count. A string when /metrics cannot be read.
 */
async function lagBuckets(origin, token) {
  let text;
  try {
    const res = await fetch(`${origin}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok) return `/metrics answered ${res.status}`;
    text = await res.text();
  } catch (e) {
    return `/metrics unreachable (${e?.message ?? e})`;
  }
  const families = new Map();
  for (const l of text.split("\n")) {
    const m = /^(\w*lag\w*)_bucket\{(.*)\}\s+([\d.eE+-]+)$/i.exec(l);
    const le = m && /le="([^"]+)"/.exec(m[2])?.[1];
    if (!m || le === undefined) continue;
    const fam = families.get(m[1]) ?? new Map();
    fam.set(le, (fam.get(le) ?? 0) + Number(m[3]));
    families.set(m[1], fam);
  }
  return families;
}

/** Quantiles (bucket upper bounds, in ms when the family is in seconds) of what was observed between two scrapes. */
function lagFromMetrics(before, after) {
  if (typeof after === "string") return [{ text: `  ${after}; no projection-lag metric read` }];
  if (!after.size) return [{ text: "  /metrics: no projection-lag histogram exported" }];
  return [...after].map(([family, fam]) => {
    const prior = typeof before === "string" ? undefined : before.get(family);
    const rows = [...fam].map(([le, c]) => [le === "+Inf" ? Infinity : Number(le), c - (prior?.get(le) ?? 0)]).sort((x, y) => x[0] - y[0]);
    const count = rows.at(-1)?.[1] ?? 0;
    const toMs = /seconds/.test(family) ? 1000 : 1;
    const q = (p) => (count ? rows.find(([, c]) => c >= p * count)?.[0] * toMs : NaN);
    return { family, count, p50: q(0.5), p99: q(0.99) };
  });
}

export default async function edgeBench(b) {
  const scale = b.scale ?? 1;
  const n = (k) => Math.max(CLIENTS, Math.round(k * scale));
  const secs = (s) => Math.max(5, s * scale);

  // A fresh token: earlier suites may have used most of the first one's 15 minutes.
  const login = await fetch(`${b.origin}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: b.user.email, password: b.user.password }),
  });
  if (!login.ok) throw new Error(`edge: login → ${login.status} ${await login.text()}`);
  const token = (await login.json()).access_token;
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, "content-type": "application/json" };
  const post = (p, body, extra = {}, signal) =>
    fetch(b.origin + p, { method: "POST", headers: { ...json, ...extra }, body: JSON.stringify(body), signal });

  const accounts = [];
  for (let i = 0; i < ACCOUNTS; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, ACCOUNTS - i) }, async (_, k) => {
        const res = await post("/v1/accounts", { name: `edge ${i + k}`, type: "checking", currency: "EUR" });
        if (res.status !== 201) throw new Error(`edge: create account → ${res.status} ${await res.text()}`);
        const acc = await res.json();
        const fund = await post(`/v1/accounts/${acc.id}/transactions`, { amount: 100_000_000, description: "funding", category: "income" });
        if (fund.status !== 201) throw new Error(`edge: funding → ${fund.status} ${await fund.text()}`);
        return acc.id;
      }),
    );
    accounts.push(...batch);
  }
  console.log(
    `client: Node ${process.version} global fetch (undici ${process.versions.undici ?? "?"}), keep-alive; ${ACCOUNTS} accounts of one user; BENCH_SCALE=${scale}`,
  );

  const pay = (source, destination, signal) =>
    post(
      "/v1/payments",
      { source_account_id: source, destination_account_id: destination, amount: 100, currency: "EUR" },
      { "idempotency-key": crypto.randomUUID() },
      signal,
    );
  const spread = (i) => {
    const s = i % ACCOUNTS;
    return [accounts[s], accounts[(s + 1 + (Math.floor(i / ACCOUNTS) % (ACCOUNTS - 1))) % ACCOUNTS]];
  };
  const health = (_i, signal) => fetch(`${b.origin}/health`, { signal });
  const cases = [
    {
      key: "payments",
      label: `POST /v1/payments, ${ACCOUNTS} accounts`,
      fn: (i, signal) => pay(...spread(i), signal),
      expect: 201,
      total: 1500,
      seconds: 30,
      single: 150,
      lag: true,
    },
    {
      key: "hot",
      label: "POST /v1/payments, one hot source",
      fn: (i, signal) => pay(accounts[0], accounts[1 + (i % (ACCOUNTS - 1))], signal),
      expect: 201,
      total: 1000,
      seconds: 25,
      single: 100,
      lag: true,
    },
    {
      key: "transactions",
      label: `POST /v1/accounts/{id}/transactions, ${ACCOUNTS} accounts`,
      fn: (i, signal) =>
        post(`/v1/accounts/${accounts[i % ACCOUNTS]}/transactions`, { amount: -1, description: "coffee", category: "dining" }, {}, signal),
      expect: 201,
      total: 1000,
      seconds: 25,
      single: 150,
    },
    {
      key: "balance",
      label: `GET /v1/accounts/{id}/balance, ${ACCOUNTS} accounts`,
      fn: (i, signal) => fetch(`${b.origin}/v1/accounts/${accounts[i % ACCOUNTS]}/balance`, { headers: auth, signal }),
      expect: 200,
      total: 2000,
      seconds: 25,
      single: 200,
    },
    // No target: shows whether listing costs one object call per account.
    {
      key: "list",
      label: `GET /v1/accounts?limit=${LIST_LIMIT} (no target)`,
      fn: (_i, signal) => fetch(`${b.origin}/v1/accounts?limit=${LIST_LIMIT}`, { headers: auth, signal }),
      expect: 200,
      total: 600,
      seconds: 12,
      single: 60,
    },
  ];

  // Each case alternates with its own /health measurement, so a shared machine's drift does not tilt
  // the ratios; the /health row is the median of those measurements.
  const results = {};
  const lagSamplers = [];
  let metricsBefore;
  let metricsAfter;
  for (const c of cases) {
    await drive(c.fn, { clients: CLIENTS, total: 2 * CLIENTS, seconds: 10, expect: c.expect }); // warm-up, not counted
    if (c.lag && metricsBefore === undefined) metricsBefore = await lagBuckets(b.origin, b.metricsToken);
    const sampler = c.lag ? lagSampler(b.origin, auth) : undefined;
    const onAnswer = sampler ? (_res, body, t) => sampler.offer(JSON.parse(body).id, t) : undefined;
    const { ref, run: many } = await alternate(health, c.fn, {
      clients: CLIENTS,
      total: n(c.total),
      seconds: secs(c.seconds),
      healthTotal: n(1500),
      healthSeconds: secs(6),
      expect: c.expect,
      onAnswer,
      cpu: b.workerdCpu,
    });
    if (sampler) {
      lagSamplers.push([c, await sampler.finish()]);
      metricsAfter = await lagBuckets(b.origin, b.metricsToken);
    }
    results[c.key] = { many, ref };
    console.log(
      `  ${c.label}: ${CLIENTS} clients, ${many.n} req, ${many.rps.toFixed(0)} req/s (/health in between: ${ref.rps.toFixed(0)} req/s)${many.errors ? `, ${many.errors} errors: ${many.firstError}` : ""}`,
    );
  }
  for (const c of cases) {
    const { ref, run } = await alternate(health, c.fn, {
      clients: 1,
      total: Math.max(SLICES * 10, Math.round(c.single * scale)),
      seconds: secs(10),
      healthTotal: Math.max(SLICES * 10, Math.round(150 * scale)),
      healthSeconds: secs(4),
      expect: c.expect,
      cpu: b.workerdCpu,
    });
    results[c.key].refOne = ref;
    results[c.key].one = run;
  }
  const metric = lagFromMetrics(metricsBefore, metricsAfter);

  // ── the table
  const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : "—");
  const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "—");
  const ratio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "—");
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const perReq = (s, r) => (r.withoutHeader === r.n ? "n/a" : s ? `${s.mean.toFixed(2)} (max ${s.max})` : "0");
  const pad = (s, w, left = false) => (left ? String(s).padEnd(w) : String(s).padStart(w));
  const all = Object.values(results);
  const h = {
    rps: median(all.map((r) => r.ref.rps)),
    p50: median(all.map((r) => r.ref.p50)),
    p99: median(all.map((r) => r.ref.p99)),
    one: median(all.map((r) => r.refOne.p50)),
  };
  console.log(`\nEdge money path — ${b.code?.label ?? "(code unknown)"}; state in ${b.medium ?? "?"}`);
  console.log(
    `through ${b.origin} (wrangler dev proxy), ${CLIENTS} clients unless "1-client"; ${new Date().toISOString()}; ratio = figure ÷ /health measured in ${SLICES} slices alternating with it`,
  );
  const cols = [
    ["request", 50, true],
    ["req/s (×/health)", 17],
    ["p50 ms (×/health)", 18],
    ["p99 ms", 8],
    ["1-client p50 (×/health)", 24],
    ["/health alongside: req/s, p50, 1-cl p50", 40],
    ["D1/req", 13],
    ["DO/req", 13],
    ["errors", 7],
  ];
  const line = (cells) => cells.map((v, k) => pad(v, cols[k][1], cols[k][2])).join(" ");
  const head = line(cols.map((c) => c[0]));
  console.log(head);
  console.log("─".repeat(head.length));
  console.log(line([`GET /health (median of the ${cases.length} below)`, f0(h.rps), f1(h.p50), f1(h.p99), f1(h.one), "", "0", "0", "0"]));
  for (const c of cases) {
    const { many, one, ref, refOne } = results[c.key];
    console.log(
      line([
        c.label,
        `${f0(many.rps)} (${ratio(many.rps / ref.rps)})`,
        `${f1(many.p50)} (${ratio(many.p50 / ref.p50)})`,
        f1(many.p99),
        `${f1(one.p50)} (${ratio(one.p50 / refOne.p50)})`,
        `${f0(ref.rps)}, ${f1(ref.p50)}, ${f1(refOne.p50)}`,
        perReq(many.d1, many),
        perReq(many.do, many),
        String(many.errors + one.errors + ref.errors + refOne.errors),
      ]),
    );
  }
  console.log(`transactions: amount -1, category "dining" (a taxonomy code); payments: 100 minor units EUR, a fresh Idempotency-Key each.`);
  const cpuOf = (r) => (r.cpuPerReq ? `${f1(r.cpuPerReq.runtime)} + ${f1(r.cpuPerReq.proxy)}` : "n/a");
  console.log(
    `CPU per request, ms (the runtime's workerd, whose one thread runs every worker and object, after-answer work included + wrangler's proxy), 20 clients / 1 client: /health ${cpuOf(results[cases[0].key].ref)} / ${cpuOf(results[cases[0].key].refOne)}; ${cases
      .map((c) => `${c.key} ${cpuOf(results[c.key].many)} / ${cpuOf(results[c.key].one)}`)
      .join("; ")}`,
  );
  const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  console.log(
    `1-client Server-Timing means (gateway total / DO calls / D1), ms: ${cases
      .map((c) => {
        const t = results[c.key].one.times;
        return `${c.key} ${f1(mean(t.map((x) => x.totalMs)))} / ${f1(mean(t.map((x) => x.doMs)))} / ${f1(mean(t.map((x) => x.d1Ms)))}`;
      })
      .join("; ")}`,
  );
  console.log(
    `D1/req, DO/req: mean (max) over the ${CLIENTS}-client answers, read from the Server-Timing header (d1/do desc, absent = 0; "n/a" = no header): statements and object calls made by the workers before the answer. D1 statements a Durable Object runs itself are counted only if the object reports them.`,
  );

  const lagUpper = lagSamplers.flatMap(([, s]) => s.upper).sort((a, b) => a - b);
  const lagLower = lagSamplers.flatMap(([, s]) => s.lower).sort((a, b) => a - b);
  const ms = (x) => (Number.isFinite(x) ? `${f1(x)} ms` : `> ${LAG_GIVE_UP_MS} ms`);
  for (const [c, s] of lagSamplers) {
    const up = [...s.upper].sort((a, b) => a - b);
    const lo = [...s.lower].sort((a, b) => a - b);
    console.log(
      `projection lag under "${c.label}": ${up.length} payments followed; visible by p50 ${ms(quantile(up, 0.5))}, p99 ${ms(quantile(up, 0.99))} (not before p50 ${ms(quantile(lo, 0.5))}, p99 ${ms(quantile(lo, 0.99))}); ${s.firstPollHits}/${up.length} seen at the first poll${s.gaveUp ? `, ${s.gaveUp} not seen within ${LAG_GIVE_UP_MS} ms` : ""}${s.errors ? `, ${s.errors} poll errors` : ""}; the view read ${s.viewReadsObject ? `no D1 for ${s.viewReadsObject} answers (not the projection?)` : s.viewReadsD1 ? "D1" : "(no Server-Timing)"}`,
    );
  }
  console.log(
    `  (answer → the GET /v1/payments/{id} poll that saw the row answered ("visible by"), or → the last poll that missed it was sent ("not before"); ${LAG_POLLERS} payments followed at a time, a poll every ${LAG_POLL_GAP_MS} ms; a poll's own latency under load is in "visible by")`,
  );
  const lagCases = lagSamplers.map(([c]) => `"${c.label}"`).join(" and ");
  for (const m of metric)
    console.log(
      m.text ??
        `projection lag from /metrics ${m.family} over ${lagCases}: ${m.count} rows projected, p50 ≤ ${ms(m.p50)}, p99 ≤ ${ms(m.p99)} (histogram bucket bounds; enqueue → in D1)`,
    );

  // ── targets
  const lagP99 = quantile(lagUpper, 0.99);
  const d1Max = (k) =>
    results[k].many.withoutHeader === results[k].many.n ? NaN : Math.max(results[k].many.d1?.max ?? 0, results[k].one.d1?.max ?? 0);
  const rpsRatio = (k) => results[k].many.rps / results[k].ref.rps;
  const count = (x) => (Number.isFinite(x) ? `max ${x}` : "n/a");
  const targets = [
    ["payments req/s ≥ 0.5× /health", rpsRatio("payments"), (x) => x >= 0.5, ratio],
    ["hot source req/s ≥ 0.4× /health", rpsRatio("hot"), (x) => x >= 0.4, ratio],
    ["transactions req/s ≥ 0.6× /health", rpsRatio("transactions"), (x) => x >= 0.6, ratio],
    ["balance reads req/s ≥ 0.8× /health", rpsRatio("balance"), (x) => x >= 0.8, ratio],
    ["single-client payment p50 ≤ 2× /health", results.payments.one.p50 / results.payments.refOne.p50, (x) => x <= 2, ratio],
    ["D1 statements before a payment's answer = 0", d1Max("payments"), (x) => x === 0, count],
    ["D1 statements before a transaction's answer = 0", d1Max("transactions"), (x) => x === 0, count],
    ["D1 statements before a balance read's answer = 0", d1Max("balance"), (x) => x === 0, count],
    [
      "projection lag p99 ≤ 1 s (polled, upper bound)",
      lagP99,
      (x) => x <= 1000,
      (x) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : `> ${LAG_GIVE_UP_MS} ms`),
    ],
    ...metric
      .filter((m) => m.family)
      .map((m) => [
        `projection lag p99 ≤ 1 s (/metrics, bucket bound)`,
        m.p99,
        (x) => x <= 1000,
        (x) => (Number.isFinite(x) ? `≤ ${x.toFixed(0)} ms` : "> last bucket"),
      ]),
  ];
  console.log(`\n${pad("target", 50, true)} ${pad("figure", 10)}  verdict`);
  for (const [label, value, ok, show] of targets)
    console.log(`${pad(label, 50, true)} ${pad(show(value), 10)}  ${Number.isNaN(value) ? "unknown" : ok(value) ? "met" : "MISSED"}`);
  if (lagLower.length === 0) console.log("(no payment was followed for the projection lag)");
}
