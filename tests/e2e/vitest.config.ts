// End-to-end: the real multi-worker `wrangler dev` (every worker, local D1, Durable Objects) started
// as a child process by global-setup.ts, driven over real HTTP.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.test.ts"],
    globalSetup: ["tests/e2e/global-setup.ts"],
    // Every exchange through helpers.ts is checked against the served /openapi.json after each test.
    setupFiles: ["tests/e2e/contract-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
