// The anomaly detector's CPU time, measured in Node by anomalies-cpu.ts (TypeScript, run by tsx in a
// child process with this process's Node binary); fails the bench past its 2 s budget.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export default async function anomaliesBench() {
  const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  if (!existsSync(tsx)) return console.log("anomaly scores CPU: skipped (tsx is not installed)");
  const r = spawnSync(process.execPath, [tsx, path.join(ROOT, "scripts", "bench", "anomalies-cpu.ts")], { cwd: ROOT, encoding: "utf8" });
  process.stdout.write(r.stdout || "");
  if (r.status !== 0) {
    process.stderr.write(r.stderr || "");
    throw new Error(`anomalies-cpu.ts exited with ${r.status}`);
  }
}
