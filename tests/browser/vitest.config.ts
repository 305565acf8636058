// Real-browser tests (`npm run test:browser`, run by .ci/run after installing Chromium): headless
// Chromium against the same stack the e2e suite starts (its global setup), kept out of `npm test` so
// that needs only Node.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/browser/**/*.test.ts"],
    globalSetup: ["tests/e2e/global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
