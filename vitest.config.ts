// Unit and integration tests, run inside workerd by the Cloudflare plugin with real D1 and Durable
// Objects. The e2e suite (real `wrangler dev`, real HTTP) has its own config in tests/e2e.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { exportJWK, generateKeyPair } from "jose";

const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
const testKey = { ...(await exportJWK(privateKey)), alg: "EdDSA", kid: "test-key" };

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./tests/wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          JWT_SIGNING_KEYS: JSON.stringify([testKey]),
        },
      },
    }),
  ],
  test: {
    include: ["workers/**/*.test.ts", "ai/**/*.test.ts", "tests/integration/**/*.test.ts"],
    setupFiles: ["./tests/integration/setup.ts"],
    testTimeout: 30_000,
  },
});
