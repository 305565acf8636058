// Swagger UI's browser files, copied from the swagger-ui-dist package into the gateway's static assets
// (workers/gateway/assets, git-ignored; `[assets]` in wrangler.toml), so /docs loads them from this
// origin with no network. Run by `npm install` (postinstall) and before every stack start; a file that is
// already identical is left alone, so a running `wrangler dev` watching the folder does not reload.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The static-assets folder of the gateway (its root is served at /). */
export const ASSETS_DIR = path.join(ROOT, "workers/gateway/assets");
/** Served at /docs/swagger-ui/<file>; workers/gateway/src/docs.ts links them. */
const TARGET = path.join(ASSETS_DIR, "docs/swagger-ui");
const FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE", "NOTICE"];

export function ensureDocsAssets() {
  const source = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  mkdirSync(TARGET, { recursive: true });
  for (const file of FILES) {
    const bytes = readFileSync(path.join(source, file));
    const to = path.join(TARGET, file);
    if (!existsSync(to) || !readFileSync(to).equals(bytes)) writeFileSync(to, bytes);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) ensureDocsAssets();
