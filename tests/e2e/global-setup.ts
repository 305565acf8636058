import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
// @ts-expect-error plain ESM script shared with `npm run dev`
import { ROOT, ensureDevVars, startStack } from "../../scripts/stack.mjs";

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** A fresh stack per run: its own port and its own empty local state. */
export default async function setup(project: TestProject) {
  await raiseRegisterLimit();
  const state = mkdtempSync(path.join(tmpdir(), "ef-e2e-"));
  const port = Number(process.env.E2E_PORT ?? (await freePort()));
  // A known scrape secret for the gateway (a --var outranks the developer's .dev.vars).
  const metricsToken = randomBytes(24).toString("base64url");
  const stack = await startStack({
    port,
    persistTo: state,
    stdio: process.env.E2E_VERBOSE ? "inherit" : "ignore",
    vars: { METRICS_TOKEN: metricsToken },
  });
  project.provide("origin", stack.origin);
  project.provide("persistTo", state);
  project.provide("metricsToken", metricsToken);
  return () => {
    stack.stop();
    rmSync(state, { recursive: true, force: true });
  };
}

/**
 * The suites register many users from one address, past the production sign-up limit. `--var` reaches
 * only the first config of a multi-config `wrangler dev`, so the auth worker's limit is raised in its
 * local `.dev.vars` (git-ignored, local development only); tests/e2e/auth-safety.test.ts reaches it.
 */
const E2E_REGISTER_MAX_PER_IP = 200;
async function raiseRegisterLimit() {
  await ensureDevVars();
  const file = path.join(ROOT, "workers/auth/.dev.vars");
  if (!/^REGISTER_MAX_PER_IP=/m.test(readFileSync(file, "utf8")))
    appendFileSync(
      file,
      `# local development and e2e: sign-ups per address per hour (production default 10)\nREGISTER_MAX_PER_IP=${E2E_REGISTER_MAX_PER_IP}\n`,
    );
}

declare module "vitest" {
  export interface ProvidedContext {
    origin: string;
    persistTo: string;
    metricsToken: string;
  }
}
