// `npm run backup -- [--out FILE] [--persist-to DIR | --remote] [--url URL] [--concurrency N]`: a consistent logical
// backup of a running platform (GET /v1/admin/backup: every Durable Object's dump, every D1 table and a
// manifest of per-account entry counts and head hashes), written as NDJSON to FILE (default
// backups/backup-<time>.ndjson, git-ignored). Locally, a stack that is not running is started on its
// state folder for the time of the backup. Authentication: scripts/ops/platform.mjs.
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { adminSession, answers, api, freePort, parseArgs } from "./ops/platform.mjs";
import { ROOT, startStack } from "./stack.mjs";
import { readBackup } from "./ops/backup-file.mjs";

let args;
try {
  args = parseArgs(process.argv.slice(2), { flags: ["--remote"], options: ["--out", "--persist-to", "--url", "--concurrency"] });
  if (args.positional.length) throw new Error(`unexpected ${args.positional[0]}`);
  if (args.remote && args["persist-to"]) throw new Error("--persist-to and --remote exclude each other");
} catch (e) {
  console.error(
    `${e.message}\nusage: npm run backup -- [--out FILE] [--persist-to DIR | --remote] [--url URL] [--concurrency N (objects dumped at once, 1–16)]`,
  );
  process.exit(2);
}

const persistTo = path.resolve(ROOT, args["persist-to"] ?? ".wrangler/state");
const out = path.resolve(args.out ?? path.join(ROOT, "backups", `backup-${new Date().toISOString().replace(/[:.]/g, "-")}.ndjson`));
let origin = args.url ?? process.env.EF_URL ?? (args.remote ? undefined : "http://127.0.0.1:8787");
if (!origin) {
  console.error("--remote needs EF_URL (the gateway's origin) or --url");
  process.exit(2);
}

let stack;
if (!args.remote && !(await answers(origin))) {
  // Nothing runs on the folder: a stopped platform is backed up by a private stack of its own.
  console.log(`no stack answers at ${origin}: starting one on ${persistTo} for the backup`);
  stack = await startStack({ port: await freePort(), persistTo, stdio: process.env.EF_VERBOSE ? "inherit" : "ignore" });
  origin = stack.origin;
}

let session;
try {
  session = await adminSession(origin, { remote: !!args.remote, persistTo });
  const query = new URLSearchParams();
  if (session.throwaway) query.set("exclude_caller", "true");
  if (args.concurrency) query.set("concurrency", args.concurrency);
  const res = await api(origin, session.token, "GET", `/v1/admin/backup${query.size ? `?${query}` : ""}`);
  mkdirSync(path.dirname(out), { recursive: true });
  await pipeline(Readable.fromWeb(res.body), createWriteStream(out));
  const { manifest, objects, d1 } = readBackup(out);
  const accounts = Object.keys(manifest.accounts).length;
  const entries = Object.values(manifest.accounts).reduce((n, a) => n + a.entries, 0);
  console.log(
    `backup: ${accounts} accounts, ${entries} entries, ${manifest.payments} payments, ${objects.length} objects, ${d1.reduce((n, t) => n + t.rows.length, 0)} D1 rows`,
  );
  console.log(out);
} catch (e) {
  console.error(`backup failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  await session?.retire();
  if (stack) {
    const exited = new Promise((r) => stack.child.once("exit", r));
    stack.stop();
    await exited;
  }
}
