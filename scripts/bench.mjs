// `npm run bench`: starts the whole stack on its own port and state, then drives it with a fixed
// number of concurrent clients and prints requests/s with p50/p99 latency. Every figure is measured
// twice where it matters: through `wrangler dev`'s proxy (what `npm run dev` serves) and straight at
// the workerd runtime socket behind it. Extra suites live in scripts/bench/*.mjs.
// Options: BENCH_ONLY=ledger,tax (suites to run), BENCH_SCALE=0.5 (fewer requests),
// BENCH_REF=<commit> (measure that commit, exported clean into a temp directory, instead of the work
// tree), BENCH_STATE=disk (the run's throwaway state on disk instead of in RAM, see stateDir),
// BENCH_TIMEOUT_S=1200 (the whole run stops by itself after that), BENCH_VERBOSE=1 (wrangler's output).
// Only 127.0.0.1 is contacted.
import { execFileSync, execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "./stack.mjs";

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const ONLY = process.env.BENCH_ONLY?.split(",");
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function measure(name, requestFn, { clients = 20, requests = 2000 } = {}) {
  const total = Math.max(clients, Math.round(requests * SCALE));
  const latencies = [];
  let errors = 0;
  let next = 0;
  let firstError;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        try {
          const res = await requestFn(i, client);
          if (res instanceof Response) {
            await res.arrayBuffer();
            if (res.status >= 500) throw new Error(`HTTP ${res.status}`);
          }
        } catch (e) {
          errors++;
          firstError ??= e;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const row = `${name.padEnd(58)} ${String(total).padStart(6)} req ${String(clients).padStart(3)} clients ${(total / seconds).toFixed(0).padStart(6)} req/s  p50 ${quantile(latencies, 0.5).toFixed(1).padStart(6)} ms  p99 ${quantile(latencies, 0.99).toFixed(1).padStart(7)} ms${errors ? `  errors ${errors} (${String(firstError?.message ?? firstError).slice(0, 80)})` : ""}`;
  console.log(row);
  return { total, seconds, errors };
}

/** Every process started under `pid` (Linux /proc). */
function descendants(pid) {
  const parent = new Map();
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d)))
    try {
      parent.set(Number(p), Number(readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ")[1]));
    } catch {}
  const out = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, pp] of parent) if (out.has(pp) && !out.has(p)) out.add(p), (grew = true);
  }
  return out;
}

/**
 * CPU used so far (ms) by the stack's workerd processes: the one listening on wrangler's proxy port,
 * and the runtime that runs the workers (the rest). From /proc, so Linux only; null elsewhere.
 */
function workerdCpu(proxyPort, rootPid) {
  let roles;
  return () => {
    try {
      if (!roles) {
        const ours = descendants(rootPid);
        const listening = execSync("ss -ltnp", { encoding: "utf8" }).split("\n");
        const proxyPid = listening
          .filter((l) => l.includes(`127.0.0.1:${proxyPort} `))
          .flatMap((l) => [...l.matchAll(/"workerd",pid=(\d+)/g)].map((m) => Number(m[1])))[0];
        const workerds = [...ours].filter((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").includes("workerd"));
        if (!proxyPid || workerds.length < 2) return null;
        roles = { proxy: [proxyPid], runtime: workerds.filter((p) => p !== proxyPid) };
      }
      const ticks = (pid) => {
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
        return Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s
      };
      const ms = (pids) => pids.reduce((t, p) => t + ticks(p) * 10, 0);
      return { proxy: ms(roles.proxy), runtime: ms(roles.runtime) };
    } catch {
      return null;
    }
  };
}

/** The workerd socket behind wrangler's proxy: a port of one of our own workerd processes that answers /health. */
async function runtimeOrigin(proxyPort, rootPid) {
  try {
    const ours = descendants(rootPid);
    const ports = execSync("ss -ltnp", { encoding: "utf8" })
      .split("\n")
      .filter((l) => [...l.matchAll(/"workerd",pid=(\d+)/g)].some((m) => ours.has(Number(m[1]))))
      .map((l) => Number(/127\.0\.0\.1:(\d+)/.exec(l)?.[1]))
      .filter((p) => p && p !== proxyPort);
    for (const port of ports) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
        if (res.ok && (await res.text()) === '{"status":"ok"}') return `http://127.0.0.1:${port}`;
      } catch {}
    }
  } catch {}
  return undefined;
}

const git = (...args) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();

/**
 * The code under measurement: the work tree as it is (uncommitted files named, since parallel work may
 * sit there), or with BENCH_REF a clean export of one commit beside this repository's node_modules.
 */
function codeUnderTest() {
  const ref = process.env.BENCH_REF;
  if (!ref) {
    const head = git("rev-parse", "--short", "HEAD");
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "workers", "db", "migrations", "wrangler.toml"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean)
      .map((l) => l.slice(3));
    const label = `work tree at ${head}${dirty.length ? ` + ${dirty.length} uncommitted file(s): ${dirty.join(", ")}` : " (clean)"}`;
    return { root: ROOT, commit: head, label, cleanup() {} };
  }
  const commit = git("rev-parse", "--short", `${ref}^{commit}`);
  const root = mkdtempSync(path.join(tmpdir(), `ef-bench-tree-${commit}-`));
  execSync(`git archive ${commit} | tar -x -C ${JSON.stringify(root)}`, { cwd: ROOT });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
  // Generated, git-ignored files a commit may need before its own scripts make them (the docs assets).
  for (const dir of ["workers/gateway/assets"])
    if (existsSync(path.join(ROOT, dir)) && !existsSync(path.join(root, dir)))
      cpSync(path.join(ROOT, dir), path.join(root, dir), { recursive: true });
  return {
    root,
    commit,
    label: `commit ${commit} (${git("log", "-1", "--format=%s", commit).slice(0, 70)}), exported clean`,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Where the run's state lives. In RAM (/dev/shm) by default: locally every Durable Object and D1 commit
 * is a SQLite write and fsync made on the one thread that also runs every worker, so on a disk the money
 * path's figures measure the disk as much as the code (here about a third fewer payments per second), while
 * deployed, storage is not written on the isolate's thread. BENCH_STATE=disk measures with the disk.
 */
function stateDir() {
  const ram = process.env.BENCH_STATE !== "disk" && existsSync("/dev/shm") ? "/dev/shm" : undefined;
  const dir = mkdtempSync(path.join(ram ?? tmpdir(), "ef-bench-"));
  return { dir, medium: ram ? `RAM (${dir})` : `disk (${dir})` };
}

const code = codeUnderTest();
const { startStack } = await import(path.join(code.root, "scripts", "stack.mjs"));
const { dir: state, medium } = stateDir();
const port = 8900 + Math.floor(Math.random() * 90);
// A scrape secret of this run for /metrics (a --var reaches the gateway and outranks .dev.vars).
const metricsToken = randomBytes(24).toString("base64url");
const stack = await startStack({
  port,
  persistTo: state,
  stdio: process.env.BENCH_VERBOSE ? "inherit" : "ignore",
  vars: { LOG_SAMPLE_RATE: "0", METRICS_TOKEN: metricsToken },
}).catch((e) => {
  rmSync(state, { recursive: true, force: true });
  code.cleanup();
  throw e;
});
// Interrupted (Ctrl-C, a timeout's SIGTERM): the stack runs in its own process group, so stop it too.
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => {
    stack.stop();
    setTimeout(() => {
      rmSync(state, { recursive: true, force: true });
      code.cleanup();
      process.exit(130);
    }, 1500);
  });
const timeoutS = Number(process.env.BENCH_TIMEOUT_S ?? 1200);
setTimeout(() => {
  console.error(`\nbench: stopped after ${timeoutS} s (BENCH_TIMEOUT_S)`);
  stack.stop();
  process.exit(2);
}, timeoutS * 1000).unref();
const direct = await runtimeOrigin(port, stack.child.pid);
console.log(`stack on ${stack.origin}; runtime socket ${direct ?? "(not found)"}; ${new Date().toISOString()}`);
console.log(`code measured: ${code.label}; state in ${medium}\n`);

async function register() {
  const email = `bench-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const password = "correct horse battery staple 42";
  const res = await fetch(`${stack.origin}/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, name: "Bench" }),
  });
  if (!res.ok) throw new Error(`register → ${res.status} ${await res.text()}`);
  return { email, password, token: (await res.json()).access_token };
}

try {
  const user = await register();
  const b = {
    origin: stack.origin,
    direct,
    token: user.token,
    user,
    register,
    measure,
    state,
    medium,
    metricsToken,
    code,
    scale: SCALE,
    workerdCpu: workerdCpu(port, stack.child.pid),
  };
  if (!ONLY || ONLY.includes("platform")) {
    console.log("── platform");
    const account = await (
      await fetch(`${stack.origin}/v1/accounts`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Bench", type: "checking", currency: "EUR" }),
      })
    ).json();
    for (const [label, origin] of [
      ["proxy", stack.origin],
      ["runtime", direct],
    ]) {
      if (!origin) continue;
      await measure(`GET /health (${label})`, () => fetch(`${origin}/health`), { clients: 20, requests: 5000 });
      await measure(
        `GET /v1/accounts/{id} → finance → D1 + ledger (${label})`,
        () => fetch(`${origin}/v1/accounts/${account.id}`, { headers: { authorization: `Bearer ${user.token}` } }),
        { clients: 20, requests: 3000 },
      );
    }
  }
  const suites = readdirSync(path.join(ROOT, "scripts/bench"))
    .filter((f) => f.endsWith(".mjs"))
    .sort();
  for (const file of suites) {
    const name = file.replace(/\.mjs$/, "");
    if (ONLY && !ONLY.includes(name)) continue;
    console.log(`\n── ${name}`);
    await (await import(path.join(ROOT, "scripts/bench", file))).default(b);
  }
} finally {
  stack.stop();
  await new Promise((r) => setTimeout(r, 1500));
  if (!process.env.BENCH_KEEP_STATE) rmSync(state, { recursive: true, force: true });
  else console.log(`\nstate kept in ${state} (npm run ledger:check -- ${state})`);
  code.cleanup();
}
process.exit(process.exitCode ?? 0); // no straggling poller or socket keeps the run alive
