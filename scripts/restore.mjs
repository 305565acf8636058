// `npm run restore -- FILE [--persist-to DIR | --remote] [--force] [--url URL]`: loads a backup made by
// `npm run backup`.
//   local (default): into a STOPPED stack's state folder (default .wrangler/state), which must be empty
//     unless --force (then it is wiped first). A private stack is started on the folder, the backup is
//     loaded through the admin restore routes, checked against its manifest, and the stack is stopped.
//   --remote: into the deployment at EF_URL as an administrator (scripts/ops/platform.mjs); refused by
//     the platform unless it is empty (no user but that administrator, no account) or --force.
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { readBackup } from "./ops/backup-file.mjs";
import { adminSession, answers, api, freePort, parseArgs } from "./ops/platform.mjs";
import { ROOT, startStack } from "./stack.mjs";

let args;
try {
  args = parseArgs(process.argv.slice(2), { flags: ["--remote", "--force"], options: ["--persist-to", "--url"] });
  if (args.positional.length !== 1) throw new Error("one backup FILE is needed");
  if (args.remote && args["persist-to"]) throw new Error("--persist-to and --remote exclude each other");
} catch (e) {
  console.error(`${e.message}\nusage: npm run restore -- FILE [--persist-to DIR | --remote] [--force] [--url URL]`);
  process.exit(2);
}

const file = path.resolve(args.positional[0]);
const backup = readBackup(file);
const persistTo = path.resolve(ROOT, args["persist-to"] ?? ".wrangler/state");
const force = !!args.force;

/** D1 rows per request: well under the 1 MiB body limit and D1's statements per batch. */
const ROWS_PER_CHUNK = 200;
const CHUNK_BYTES = 600_000;
const PARALLEL = 8;

let origin;
let stack;
if (args.remote) {
  origin = args.url ?? process.env.EF_URL;
  if (!origin) {
    console.error("--remote needs EF_URL (the gateway's origin) or --url");
    process.exit(2);
  }
} else {
  const used = existsSync(persistTo) && readdirSync(persistTo).length > 0;
  if (persistTo === path.resolve(ROOT, ".wrangler/state") && (await answers("http://127.0.0.1:8787"))) {
    console.error("a stack answers on http://127.0.0.1:8787: stop `npm run dev` before restoring into its state folder");
    process.exit(1);
  }
  if (used && !force) {
    console.error(`${persistTo} holds a platform already: restore into an empty folder, or pass --force to replace it`);
    process.exit(1);
  }
  if (used) rmSync(persistTo, { recursive: true, force: true });
  stack = await startStack({ port: await freePort(), persistTo, stdio: process.env.EF_VERBOSE ? "inherit" : "ignore" });
  origin = stack.origin;
}

let session;
try {
  session = await adminSession(origin, { remote: !!args.remote, persistTo });
  const { token } = session;
  const begun = await (await api(origin, token, "POST", "/v1/admin/restore", { force, d1_migrations: backup.header.d1_migrations })).json();
  if (begun.wiped) console.log("the platform's previous data was wiped (--force)");

  let rows = 0;
  for (const t of backup.d1) {
    for (let i = 0; i < t.rows.length; ) {
      const chunk = [];
      let bytes = 0;
      while (i < t.rows.length && chunk.length < ROWS_PER_CHUNK && bytes < CHUNK_BYTES) {
        bytes += JSON.stringify(t.rows[i]).length;
        chunk.push(t.rows[i++]);
      }
      await api(origin, token, "POST", "/v1/admin/restore/d1", { table: t.table, columns: t.columns, rows: chunk });
      rows += chunk.length;
    }
  }
  // After D1: an account's object sends its balance and outbox to its row there.
  for (let i = 0; i < backup.objects.length; i += PARALLEL)
    await Promise.all(
      backup.objects
        .slice(i, i + PARALLEL)
        .map((o) =>
          api(origin, token, "POST", "/v1/admin/restore/objects", { class: o.class, name: o.name, dump: o.dump, replace: force }),
        ),
    );

  // The drill's check: the restored platform, backed up again, has the backup's ledgers.
  const again = await (await api(origin, token, "GET", "/v1/admin/backup?exclude_caller=true")).text();
  const manifest = again
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .find((d) => d.type === "manifest");
  // Payments reserved at backup time are finished by the restored ledgers and may move their two accounts on.
  const reserved = backup.manifest.reserved ?? [];
  const moving = new Set(reserved.flatMap((r) => [r.source, r.destination]));
  const differ = Object.entries(backup.manifest.accounts).filter(
    ([id, a]) => !moving.has(id) && JSON.stringify(manifest.accounts[id]) !== JSON.stringify(a),
  );
  await api(origin, token, "POST", "/v1/admin/restore/finish");
  const entries = Object.values(backup.manifest.accounts).reduce((n, a) => n + a.entries, 0);
  console.log(
    `restored ${rows} D1 rows and ${backup.objects.length} objects (${Object.keys(backup.manifest.accounts).length} accounts, ${entries} entries) from ${file}`,
  );
  if (reserved.length)
    console.log(`${reserved.length} payment(s) reserved at backup time finish after the restore (their accounts move on)`);
  if (differ.length) {
    for (const [id, a] of differ) console.error(`  ${id}: backup ${JSON.stringify(a)}, restored ${JSON.stringify(manifest.accounts[id])}`);
    console.error(`${differ.length} ledger(s) differ from the manifest`);
    process.exitCode = 1;
  } else console.log("✓ every ledger's entry count, version and head hash equal the manifest's");
  // The backup's own consistency work, for the operator's record.
  if (backup.manifest.redumps)
    console.log(`(the backup dumped ${backup.manifest.redumps} ledger(s) again over ${backup.manifest.rounds} rounds)`);
} catch (e) {
  console.error(`restore failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  if (stack) {
    // Waits for workerd to exit, so the folder is complete when the next stack opens it.
    const exited = new Promise((r) => stack.child.once("exit", r));
    stack.stop();
    await exited;
  }
}
