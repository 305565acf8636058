// Tax endpoints under load through the gateway, plus the engine's pure CPU time per computation.
// Called by scripts/bench.mjs with `b = { origin, token, measure(name, requestFn, { clients, requests }) }`.
// Each requestFn resolves once the whole response body is read and throws on a non-2xx answer.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const BODIES = {
  frSalaries: {
    jurisdiction: "FR",
    income_year: 2025,
    filing_status: "married",
    dependents: 2,
    income: { salaries: [4_200_000, 3_100_000] },
  },
  usSalaries: { jurisdiction: "US", income_year: 2025, filing_status: "single", dependents: 0, income: { salaries: [10_000_000] } },
  vat: { country: "FR", rate: "standard", amount: 12_000, amount_includes_vat: true, date: "2025-06-30" },
};

export default async function taxBench(b) {
  const call = (method, pathname, body) => async () => {
    const res = await fetch(b.origin + pathname, {
      method,
      headers: { authorization: `Bearer ${b.token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${pathname} → ${res.status} ${text.slice(0, 200)}`);
    return { status: res.status };
  };

  const opts = { clients: 16, requests: 2_000 };
  await b.measure("tax: GET /v1/tax/jurisdictions", call("GET", "/v1/tax/jurisdictions"), opts);
  await b.measure("tax: POST /v1/tax/income-tax (FR, salaries, 3 parts)", call("POST", "/v1/tax/income-tax", BODIES.frSalaries), opts);
  await b.measure("tax: POST /v1/tax/income-tax (US, salaries)", call("POST", "/v1/tax/income-tax", BODIES.usSalaries), opts);
  await b.measure("tax: POST /v1/tax/vat", call("POST", "/v1/tax/vat", BODIES.vat), opts);
  await b.measure("tax: GET /v1/tax/report (D1 aggregates)", call("GET", "/v1/tax/report?jurisdiction=FR&income_year=2025"), {
    clients: 8,
    requests: 1_000,
  });

  // Pure engine CPU time: the TypeScript engine run by tsx in a child process (this script is plain ESM).
  // Same Node binary as this process (the pinned Node 22 under npm scripts), whatever PATH says.
  const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  if (!existsSync(tsx)) {
    console.log("tax engine CPU: skipped (tsx is not installed)");
    return;
  }
  const r = spawnSync(process.execPath, [tsx, path.join(ROOT, "scripts", "bench", "tax-cpu.ts"), "50000"], { cwd: ROOT, encoding: "utf8" });
  process.stdout.write(r.stdout || "");
  if (r.status !== 0) {
    process.stderr.write(r.stderr || "");
    throw new Error(`tax-cpu.ts exited with ${r.status}`);
  }
}
