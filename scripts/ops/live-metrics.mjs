// Writes a live /metrics of a fresh local stack to FILE, after a little traffic of every kind (sign-up,
// an account, a transaction, a payment), for `promtool check metrics` in .ci/monitoring.sh. (A file,
// not stdout: starting the stack prints wrangler's migration output.)
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startStack } from "../stack.mjs";
import { freePort } from "./platform.mjs";

const out = process.argv[2];
if (!out) {
  console.error("usage: node scripts/ops/live-metrics.mjs FILE");
  process.exit(2);
}
const state = mkdtempSync(path.join(tmpdir(), "ef-metrics-"));
const token = randomBytes(24).toString("base64url");
const stack = await startStack({
  port: await freePort(),
  persistTo: state,
  stdio: ["ignore", "ignore", "inherit"],
  vars: { METRICS_TOKEN: token },
});
const post = async (p, body, bearer, headers = {}) => {
  const res = await fetch(stack.origin + p, {
    method: "POST",
    headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  return res.json();
};
try {
  const { access_token: t } = await post("/v1/auth/register", {
    email: `metrics-${randomBytes(6).toString("hex")}@ci.test`,
    password: randomBytes(18).toString("base64url"),
    name: "CI",
  });
  const a = (await post("/v1/accounts", { name: "A", type: "checking", currency: "EUR" }, t)).id;
  const b = (await post("/v1/accounts", { name: "B", type: "checking", currency: "EUR" }, t)).id;
  await post(`/v1/accounts/${a}/transactions`, { amount: 1000, description: "in" }, t);
  await post("/v1/payments", { source_account_id: a, destination_account_id: b, amount: 10, currency: "EUR" }, t, {
    "Idempotency-Key": "ci-1",
  });
  await new Promise((r) => setTimeout(r, 1500)); // the projection lands after the answer
  const res = await fetch(`${stack.origin}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  writeFileSync(out, await res.text());
} finally {
  const exited = new Promise((r) => stack.child.once("exit", r));
  stack.stop();
  await exited;
  rmSync(state, { recursive: true, force: true });
}
