// Promotes an existing user to administrator: the only way to make the first admin (never an API call).
//
//   npm run admin:create -- EMAIL                  local dev D1 (.wrangler/state)
//   npm run admin:create -- EMAIL --persist-to DIR another local state folder (the e2e suite uses this)
//   npm run admin:create -- EMAIL --remote         the deployed D1 (needs `wrangler login`)
//
// The user must have registered first. From their next sign-in (login or refresh) they are an admin:
// that is when their UserState object, which the gateway asks instead of D1, re-reads the row.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

function usage(message) {
  if (message) console.error(message);
  console.error("usage: npm run admin:create -- EMAIL [--persist-to DIR | --remote]");
  process.exit(2);
}

const args = process.argv.slice(2);
let persistTo = ".wrangler/state";
let remote = false;
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--persist-to") persistTo = args[++i] ?? usage("--persist-to needs a folder");
  else if (args[i] === "--remote") remote = true;
  else if (args[i].startsWith("--")) usage(`unknown option ${args[i]}`);
  else positional.push(args[i]);
}
if (positional.length !== 1) usage();

// Stored emails are trimmed and lower case (workers/auth). Refuse anything that is not a plain address,
// then escape for the SQL string literal anyway (single quotes doubled).
const email = positional[0].trim().toLowerCase();
if (email.length > 254 || !/^[^\s@"\\;\x00-\x1f]+@[^\s@'"\\;\x00-\x1f]+\.[^\s@'"\\;\x00-\x1f]+$/.test(email))
  usage(`not an email address: ${positional[0]}`);
const literal = `'${email.replace(/'/g, "''")}'`;

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
function newId(prefix) {
  let time = "";
  for (let t = Date.now(), i = 0; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  return `${prefix}_${time}${[...randomBytes(16)].map((b) => ALPHABET[b % 32]).join("")}`;
}

const now = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
const where = `email = ${literal} AND status != 'deleted'`;
const sql = [
  `INSERT INTO audit_events (id, user_id, type, detail, created_at) SELECT '${newId("evt")}', id, 'role_changed', '{"from":"user","to":"admin","by":"admin:create"}', ${now} FROM users WHERE ${where} AND role != 'admin'`,
  `UPDATE users SET role = 'admin', updated_at = ${now} WHERE ${where}`,
  `SELECT id, email, role, status FROM users WHERE ${where}`,
].join(";\n");

const target = remote ? ["--remote"] : ["--local", "--persist-to", persistTo];
const r = spawnSync(process.execPath, [WRANGLER, "d1", "execute", "DB", ...target, "-c", "wrangler.toml", "--json", "--command", sql], {
  cwd: ROOT,
  encoding: "utf8",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
});
if (r.status !== 0) {
  console.error(r.stderr || r.stdout);
  process.exit(1);
}
let rows = [];
try {
  const results = JSON.parse(r.stdout);
  rows = results[results.length - 1]?.results ?? [];
} catch {
  console.error(r.stdout);
  process.exit(1);
}
if (rows.length === 0) {
  console.error(`No active user with email ${email}: register first (POST /v1/auth/register), then run this again.`);
  process.exit(1);
}
console.log(`${rows[0].email} (${rows[0].id}) is now an administrator (from their next sign-in).`);
