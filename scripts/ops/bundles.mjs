// Offline builds of workers (`wrangler deploy --dry-run --outdir`), their raw and gzipped sizes, and
// their startup time from `wrangler check startup` (which builds the worker again and profiles its
// startup in a local workerd: nothing is sent to Cloudflare). Used by `npm run deploy -- --dry-run` and
// `npm run preview -- BRANCH --dry-run`.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT } from "../stack.mjs";

const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const run = (args) =>
  spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 300_000,
  });

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

/** The uploaded modules only: wrangler's outdir also holds source maps and a README. */
const uploaded = (f) => !f.endsWith(".map") && !/README\.md$/.test(f);

/** What `wrangler check startup` printed, parsed: its bundle sizes and the active startup time. */
export function parseStartup(text) {
  const bundle = text.match(/Bundle:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/);
  const active = text.match(/Active:\s*([\d.]+)\s*ms/);
  return {
    bundle_kib: bundle ? Number(bundle[1]) : undefined,
    gzip_kib: bundle ? Number(bundle[2]) : undefined,
    startup_ms: active ? Number(active[1]) : undefined,
  };
}

/** Builds each worker offline; returns its sizes and startup time (or the error). */
export function bundleReport(workers, distDir, { startup = true } = {}) {
  rmSync(distDir, { recursive: true, force: true });
  return workers.map(({ name, config }) => {
    const out = path.join(distDir, name);
    mkdirSync(out, { recursive: true });
    const built = run(["deploy", "--dry-run", "--outdir", out, "-c", config]);
    if (built.status !== 0) return { name, error: `wrangler deploy --dry-run failed:\n${built.stdout}\n${built.stderr}` };
    const modules = files(out).filter(uploaded);
    const raw = modules.reduce((n, f) => n + statSync(f).size, 0);
    const gzip = modules.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
    const row = { name, raw, gzip, modules: modules.length };
    if (!startup) return row;
    const profile = path.join(distDir, `${name}.cpuprofile`);
    const checked = run(["check", "startup", "-c", config, "--outfile", profile]);
    const parsed = parseStartup(`${checked.stdout}\n${checked.stderr}`);
    if (checked.status !== 0 || parsed.startup_ms === undefined)
      return {
        ...row,
        startup_error: `wrangler check startup failed: ${(checked.stderr || checked.stdout).trim().split("\n").slice(-3).join(" ")}`,
      };
    return { ...row, ...parsed, profile };
  });
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

export function printBundles(report) {
  const rows = report.map((r) =>
    r.error
      ? [r.name, "build failed", "", "", ""]
      : [r.name, kib(r.raw), kib(r.gzip), r.startup_ms === undefined ? "—" : `${r.startup_ms.toFixed(1)} ms`, String(r.modules)],
  );
  const head = ["worker", "raw", "gzip", "startup (active CPU, local)", "modules"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  for (const r of report) {
    if (r.error) console.error(`${r.name}: ${r.error}`);
    if (r.startup_error) console.error(`${r.name}: ${r.startup_error}`);
  }
}
