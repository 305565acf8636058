// `npm run deploy` — production: remote D1 migrations, then every domain worker, then the gateway
// (so the gateway never points at a binding that does not exist yet).
// `npm run deploy -- --preview BRANCH` — per-branch preview: uploads a version of every worker with the
// preview alias BRANCH (`wrangler versions upload --preview-alias`), leaving production untouched.
// Needs CLOUDFLARE_API_TOKEN / CLOUDFLARE_ACCOUNT_ID, the real database_id in the wrangler.toml files,
// and the JWT_SIGNING_KEYS secret on ef-auth (`wrangler secret put JWT_SIGNING_KEYS -c workers/auth/wrangler.toml`).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { CONFIGS, ROOT } from "./stack.mjs";

const args = process.argv.slice(2);
const preview = args.includes("--preview") ? args[args.indexOf("--preview") + 1] : undefined;
if (args.includes("--preview") && !/^[a-z0-9-]{1,40}$/.test(preview ?? "")) {
  console.error("usage: npm run deploy -- --preview <branch-alias: lower-case letters, digits, dashes>");
  process.exit(2);
}
const wrangler = (...a) => {
  console.log(`$ wrangler ${a.join(" ")}`);
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"), ...a], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const ordered = [...CONFIGS.slice(1), CONFIGS[0]]; // domains first, gateway last
if (preview) {
  for (const c of ordered) wrangler("versions", "upload", "-c", c, "--preview-alias", preview);
} else {
  wrangler("d1", "migrations", "apply", "DB", "--remote", "-c", "wrangler.toml");
  for (const c of ordered) wrangler("deploy", "-c", c);
}
