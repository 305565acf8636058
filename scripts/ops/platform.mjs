// Shared by `npm run backup` and `npm run restore`: where the platform is, and an administrator's token.
//
//   --remote            the deployment at EF_URL (its gateway's origin), as the administrator in
//                       EF_ADMIN_TOKEN, or EF_ADMIN_EMAIL + EF_ADMIN_PASSWORD (signed in here)
//   local (default)     the stack at --url / EF_URL / http://127.0.0.1:8787 on the state folder
//                       --persist-to (default .wrangler/state); the same admin variables, or else a
//                       throwaway administrator made for this run (registered, promoted with
//                       admin:create on that folder) whose own rows stay out of the backup
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import path from "node:path";
import { ROOT } from "../stack.mjs";

export function parseArgs(argv, { flags = [], options = [] }) {
  const out = { positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (flags.includes(a)) out[a.slice(2)] = true;
    else if (options.includes(a)) {
      if (argv[i + 1] === undefined) throw new Error(`${a} needs a value`);
      out[a.slice(2)] = argv[++i];
    } else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else out.positional.push(a);
  }
  return out;
}

export const freePort = () =>
  new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

export async function answers(origin) {
  try {
    return (await fetch(`${origin}/health`, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

/** A JSON request with the admin's bearer; throws with the problem's detail on anything but 2xx. */
export async function api(origin, token, method, pathname, body) {
  const res = await fetch(origin + pathname, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.ok) return res;
  const text = await res.text();
  let detail = text.slice(0, 500);
  try {
    const p = JSON.parse(text);
    detail = `${p.code}: ${p.detail}`;
  } catch {}
  const err = new Error(`${method} ${pathname} → ${res.status} ${detail}`);
  err.status = res.status;
  throw err;
}

async function login(origin, email, password) {
  const res = await fetch(`${origin}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || typeof body.access_token !== "string") throw new Error(`login as ${email} failed: ${res.status} ${body.code ?? ""}`);
  return body.access_token;
}

/**
 * An administrator's token. `throwaway: true` in the answer means the script made the account for
 * this run (local only): the backup leaves its rows out, and `retire()` erases it afterwards.
 */
export async function adminSession(origin, { remote, persistTo }) {
  if (process.env.EF_ADMIN_TOKEN) return { token: process.env.EF_ADMIN_TOKEN, throwaway: false, retire: async () => {} };
  if (process.env.EF_ADMIN_EMAIL && process.env.EF_ADMIN_PASSWORD)
    return {
      token: await login(origin, process.env.EF_ADMIN_EMAIL, process.env.EF_ADMIN_PASSWORD),
      throwaway: false,
      retire: async () => {},
    };
  if (remote) throw new Error("--remote needs EF_ADMIN_TOKEN, or EF_ADMIN_EMAIL and EF_ADMIN_PASSWORD, of an administrator");
  const email = `ops-${randomBytes(6).toString("hex")}@operator.invalid`;
  const password = randomBytes(24).toString("base64url");
  const reg = await fetch(`${origin}/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, name: "backup operator" }),
  });
  const registered = await reg.json().catch(() => ({}));
  if (reg.status !== 201) throw new Error(`could not register the throwaway operator: ${reg.status} ${registered.code ?? ""}`);
  const retire = (token) => async () => {
    const res = await fetch(`${origin}/v1/users/me`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 204 && res.status !== 401 && res.status !== 403)
      console.warn(`could not erase the throwaway operator ${email}: ${res.status}`);
  };
  try {
    // wrangler writes the local D1 file beside the running stack: under load the file can be busy for a moment.
    let r;
    for (let attempt = 0; attempt < 10; attempt++) {
      r = spawnSync(process.execPath, [path.join(ROOT, "scripts/admin-create.mjs"), email, "--persist-to", persistTo], {
        cwd: ROOT,
        encoding: "utf8",
      });
      if (r.status === 0 || !/SQLITE_BUSY|database is locked/.test(`${r.stdout}${r.stderr}`)) break;
      await new Promise((done) => setTimeout(done, 300 * (attempt + 1)));
    }
    // Most likely the stack at this origin does not run on that folder: --url and --persist-to must match.
    if (r.status !== 0) throw new Error(`admin:create on ${persistTo} failed: ${(r.stderr || r.stdout).trim()}`);
    // The role is read again at sign-in.
    const token = await login(origin, email, password);
    return { token, throwaway: true, retire: retire(token) };
  } catch (e) {
    await retire(registered.access_token)();
    throw e;
  }
}
