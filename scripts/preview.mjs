// `npm run preview -- BRANCH [--dry-run]` / `npm run preview -- BRANCH --destroy`: an isolated copy of
// the whole platform for one branch, as separate branch-suffixed workers (why not Worker Previews: the
// README's "Previews" section). The plan (scripts/ops/preview-plan.mjs) gives every worker its own name,
// the branch its own D1 database and queues, and points every service binding and Durable Object
// script_name at the branch's workers.
//   --dry-run   prints the plan and builds every worker offline (`wrangler deploy --dry-run --outdir`)
//   (none)      creates the D1 database and queues if missing, applies the migrations, sets the
//               preview's own secrets, deploys the domain workers then the gateway, prints its URL
//               (and writes it to $GITHUB_STEP_SUMMARY in GitHub Actions)
//   --destroy   deletes the workers (gateway first), the database and the queues
// Needs CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID except with --dry-run.
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { experimental_readRawConfig } from "wrangler";
import { bundleReport, printBundles } from "./ops/bundles.mjs";
import { parseArgs } from "./ops/platform.mjs";
import { previewPlan, productionReferences } from "./ops/preview-plan.mjs";
import { CONFIGS, ROOT, newSigningKey } from "./stack.mjs";
import { randomBytes } from "node:crypto";

let args;
try {
  args = parseArgs(process.argv.slice(2), { flags: ["--dry-run", "--destroy"], options: [] });
  if (args.positional.length !== 1) throw new Error("one BRANCH is needed");
  if (args["dry-run"] && args.destroy) throw new Error("--dry-run and --destroy exclude each other");
} catch (e) {
  console.error(`${e.message}\nusage: npm run preview -- BRANCH [--dry-run] | npm run preview -- BRANCH --destroy`);
  process.exit(2);
}

const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const wrangler = (a, { capture = false, input, allowFail = false } = {}) => {
  console.log(`$ wrangler ${a.join(" ")}`);
  const r = spawnSync(process.execPath, [WRANGLER, ...a], {
    cwd: ROOT,
    encoding: "utf8",
    input,
    stdio: capture || input ? ["pipe", "pipe", "inherit"] : "inherit",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
  });
  if (r.status !== 0 && !allowFail) {
    if (capture) console.error(r.stdout);
    process.exit(r.status ?? 1);
  }
  return r;
};

const configs = CONFIGS.map((c) => {
  const file = path.join(ROOT, c);
  return { path: file, raw: experimental_readRawConfig({ config: file }).rawConfig };
});
const branch = args.positional[0];
const outDir = path.join(ROOT, ".wrangler/preview", previewPlan(branch, configs, { outDir: ROOT }).slug);

function writeConfigs(plan) {
  mkdirSync(outDir, { recursive: true });
  return plan.workers.map((w) => {
    const file = path.join(outDir, `${w.name}.json`);
    writeFileSync(file, `${JSON.stringify(w.config, null, 2)}\n`);
    return { ...w, file };
  });
}

function printPlan(plan) {
  console.log(`preview of branch ${plan.branch} (suffix -${plan.slug})`);
  for (const d of plan.databases) console.log(`  D1 database ${d.name} (id ${d.id}) — production ${d.production_name} is not bound`);
  for (const q of plan.queues) console.log(`  queue ${q}`);
  for (const a of plan.datasets) console.log(`  Analytics Engine dataset ${a}`);
  for (const w of plan.workers) {
    const c = w.config;
    console.log(`  worker ${w.name}${w.gateway ? " (public, workers.dev)" : ""}`);
    for (const d of c.d1_databases ?? []) console.log(`    D1 ${d.binding} → ${d.database_name}`);
    for (const s of c.services ?? []) console.log(`    service ${s.binding} → ${s.service}${s.entrypoint ? `#${s.entrypoint}` : ""}`);
    for (const b of c.durable_objects?.bindings ?? [])
      console.log(`    objects ${b.name} → ${b.class_name} in ${b.script_name ?? w.name}${b.script_name ? "" : " (own namespace)"}`);
    for (const p of c.queues?.producers ?? []) console.log(`    queue producer ${p.binding} → ${p.queue}`);
    for (const k of c.queues?.consumers ?? [])
      console.log(`    queue consumer ${k.queue}${k.dead_letter_queue ? ` (dead letters → ${k.dead_letter_queue})` : ""}`);
  }
  const leaks = productionReferences(plan, configs);
  if (leaks.length) {
    for (const l of leaks) console.error(`  ✗ ${l}`);
    throw new Error("the plan names production resources");
  }
}

// Domain workers first, the gateway last (it binds to all of them); destroyed the other way round.
const ordered = (workers) => [...workers.filter((w) => !w.gateway), ...workers.filter((w) => w.gateway)];

if (args["dry-run"]) {
  const plan = previewPlan(branch, configs, { outDir });
  printPlan(plan);
  const written = writeConfigs(plan);
  const report = bundleReport(
    ordered(written).map((w) => ({ name: w.name, config: w.file })),
    path.join(outDir, "dist"),
    { startup: false }, // the same code as production: `npm run deploy -- --dry-run` measures startup
  );
  printBundles(report);
  if (report.some((r) => r.error)) process.exit(1);
  console.log(`configs in ${path.relative(ROOT, outDir)}/ — nothing was sent to Cloudflare`);
} else if (args.destroy) {
  const plan = previewPlan(branch, configs, { outDir });
  for (const w of ordered(plan.workers).reverse()) wrangler(["delete", w.name, "--force"], { allowFail: true });
  for (const q of plan.queues) wrangler(["queues", "delete", q], { allowFail: true });
  for (const d of plan.databases) wrangler(["d1", "delete", d.name, "--skip-confirmation"], { allowFail: true });
  console.log(`preview ${plan.slug} removed`);
} else {
  const draft = previewPlan(branch, configs, { outDir });
  const db = draft.databases[0];
  let info = wrangler(["d1", "info", db.name, "--json"], { capture: true, allowFail: true });
  if (info.status !== 0) {
    wrangler(["d1", "create", db.name]);
    info = wrangler(["d1", "info", db.name, "--json"], { capture: true });
  }
  const databaseId = JSON.parse(info.stdout.slice(info.stdout.indexOf("{"))).uuid;
  const plan = previewPlan(branch, configs, { outDir, databaseId });
  printPlan(plan);
  const written = writeConfigs(plan);
  for (const q of plan.queues) wrangler(["queues", "create", q], { allowFail: true }); // exists already on a re-run
  const gateway = written.find((w) => w.gateway);
  wrangler(["d1", "migrations", "apply", "DB", "--remote", "-c", gateway.file]);
  let url = "";
  for (const w of ordered(written)) {
    const r = wrangler(["deploy", "-c", w.file], { capture: true });
    process.stdout.write(r.stdout);
    if (w.gateway) url = r.stdout.match(/https:\/\/\S+\.workers\.dev/)?.[0] ?? "";
  }
  // The preview's own secrets (never production's): a signing key and a scrape secret of its own.
  const auth = written.find((w) => w.production_name === "ef-auth");
  if (auth) wrangler(["secret", "put", "JWT_SIGNING_KEYS", "-c", auth.file], { input: JSON.stringify([await newSigningKey()]) });
  wrangler(["secret", "put", "METRICS_TOKEN", "-c", gateway.file], { input: randomBytes(32).toString("base64url") });
  console.log(`\npreview ${plan.slug}: ${url || "(see the gateway's deploy output for its workers.dev URL)"}`);
  if (process.env.GITHUB_STEP_SUMMARY)
    appendFileSync(
      process.env.GITHUB_STEP_SUMMARY,
      `### Preview of \`${branch}\`\n\n${url ? `${url} (API reference: ${url}/docs)` : "deployed; URL not found in the output"}\n\nWorkers: ${plan.workers.map((w) => `\`${w.name}\``).join(", ")}; D1: \`${db.name}\`.\n`,
    );
}
