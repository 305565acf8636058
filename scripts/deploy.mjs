// `npm run deploy` — production: remote D1 migrations first (the new code may read new columns; every
// migration is additive, so the running code keeps working on the new schema), then every domain
// worker, then the gateway (so the gateway never points at a binding that does not exist yet).
// `npm run deploy -- --dry-run` — builds every worker without contacting Cloudflare and prints each
// bundle's raw and gzipped size and its startup time (`wrangler check startup`, a local profile).
// Needs CLOUDFLARE_API_TOKEN / CLOUDFLARE_ACCOUNT_ID, the real database_id in the wrangler.toml files,
// and the JWT_SIGNING_KEYS secret on ef-auth (`wrangler secret put JWT_SIGNING_KEYS -c workers/auth/wrangler.toml`).
// Per-branch copies of the platform: `npm run preview -- BRANCH` (scripts/preview.mjs).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { bundleReport, printBundles } from "./ops/bundles.mjs";
import { CONFIGS, ROOT } from "./stack.mjs";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--dry-run");
if (unknown.length) {
  console.error(
    `unknown argument ${unknown[0]}\nusage: npm run deploy [-- --dry-run]   (per-branch previews: npm run preview -- BRANCH [--dry-run | --destroy])`,
  );
  process.exit(2);
}

const names = Object.fromEntries(CONFIGS.map((c) => [c, c === "wrangler.toml" ? "gateway" : c.split("/")[1]]));
const ordered = [...CONFIGS.slice(1), CONFIGS[0]]; // domains first, gateway last

if (args.includes("--dry-run")) {
  const report = bundleReport(
    ordered.map((c) => ({ name: names[c], config: c })),
    path.join(ROOT, ".wrangler/deploy-dry-run"),
  );
  printBundles(report);
  console.log("built offline into .wrangler/deploy-dry-run/ — nothing was sent to Cloudflare");
  process.exit(report.some((r) => r.error) ? 1 : 0);
}

const wrangler = (...a) => {
  console.log(`$ wrangler ${a.join(" ")}`);
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"), ...a], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
wrangler("d1", "migrations", "apply", "DB", "--remote", "-c", "wrangler.toml");
for (const c of ordered) wrangler("deploy", "-c", c);
