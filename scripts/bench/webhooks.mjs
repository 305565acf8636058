// Webhook delivery latency, for `npm run bench` (BENCH_ONLY=webhooks): 20 clients pay from their own
// accounts while a real receiver (node:http on 127.0.0.1, a free port) takes the payer's
// payment.completed events; the latency is from each payment's answer to its event reaching the
// receiver (outbox → D1 → ef-events → fan-out → delivery queue → signed POST), printed beside
// /health measured in the same run. Called by scripts/bench.mjs with `b = { origin, user, measure, scale }`.
import { createServer } from "node:http";

const CLIENTS = 20;
const PAYMENTS = 600;
const GRACE_MS = 60_000; // how long to wait for the last events after the last answer

const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : Number.NaN);
const ms = (x) => `${x.toFixed(0)} ms`;

export default async function webhooksBench(b) {
  const total = Math.max(CLIENTS, Math.round(PAYMENTS * (b.scale ?? 1)));
  const login = await fetch(`${b.origin}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: b.user.email, password: b.user.password }),
  });
  if (!login.ok) throw new Error(`webhooks: login → ${login.status}`);
  const json = { authorization: `Bearer ${(await login.json()).access_token}`, "content-type": "application/json" };
  const post = (p, body, extra = {}) => fetch(b.origin + p, { method: "POST", headers: { ...json, ...extra }, body: JSON.stringify(body) });

  // The receiver: the arrival time of each payment's event (the first one: retries are not counted twice).
  const received = new Map();
  let deliveries = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const at = performance.now();
      deliveries++;
      try {
        const e = JSON.parse(body);
        if (e.type === "payment.completed" && !received.has(e.data.object.id)) received.set(e.data.object.id, at);
      } catch {}
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  try {
    const hook = await post("/v1/webhooks/endpoints", { url, events: ["payment.completed"] });
    if (hook.status !== 201) throw new Error(`webhooks: register endpoint → ${hook.status} ${await hook.text()}`);
    const accounts = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const acc = await (await post("/v1/accounts", { name: `hook ${i}`, type: "checking", currency: "EUR" })).json();
        const fund = await post(`/v1/accounts/${acc.id}/transactions`, { amount: 100_000_000, description: "funding", category: "income" });
        if (fund.status !== 201) throw new Error(`webhooks: funding → ${fund.status}`);
        return acc.id;
      }),
    );
    console.log(`receiver ${url}; ${CLIENTS} clients, each paying from its own account; ${total} payments; BENCH_SCALE=${b.scale ?? 1}`);
    await b.measure("GET /health (before)", () => fetch(`${b.origin}/health`), { clients: CLIENTS, requests: 2000 });

    const answered = new Map();
    let next = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        while (next < total) {
          next++;
          const res = await post(
            "/v1/payments",
            { source_account_id: accounts[c], destination_account_id: accounts[(c + 1) % CLIENTS], amount: 100, currency: "EUR" },
            { "idempotency-key": crypto.randomUUID() },
          );
          const at = performance.now();
          // A non-JSON answer (wrangler reloading a changed file) counts as refused.
          const body = await res.json().catch(() => ({}));
          if (res.status === 201) answered.set(body.id, at);
          else failed++;
        }
      }),
    );
    const paying = (performance.now() - started) / 1000;
    const deadline = performance.now() + GRACE_MS;
    while (performance.now() < deadline && [...answered.keys()].some((id) => !received.has(id)))
      await new Promise((r) => setTimeout(r, 100));
    await b.measure("GET /health (after)", () => fetch(`${b.origin}/health`), { clients: CLIENTS, requests: 2000 });

    const latencies = [...answered].filter(([id]) => received.has(id)).map(([id, at]) => received.get(id) - at);
    latencies.sort((x, y) => x - y);
    const missing = answered.size - latencies.length;
    console.log(
      `POST /v1/payments while delivering: ${(answered.size / paying).toFixed(0)} payments/s over ${paying.toFixed(1)} s${failed ? `, ${failed} refused` : ""}`,
    );
    console.log(
      `payment answer → payment.completed at the receiver: p50 ${ms(quantile(latencies, 0.5))}, p99 ${ms(quantile(latencies, 0.99))}, max ${ms(latencies.at(-1) ?? Number.NaN)}; ${latencies.length} of ${answered.size} delivered${missing ? `, ${missing} not within ${GRACE_MS / 1000} s` : ""}; ${deliveries} POSTs received`,
    );
  } finally {
    server.close();
  }
}
