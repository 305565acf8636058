// `npm run docs:screenshot`: starts the stack, renders /docs in headless Chromium with no network but
// loopback, and writes docs-screenshot.png.
import path from "node:path";
import { chromium } from "./chromium.mjs";
import { ROOT, startStack } from "./stack.mjs";

const stack = await startStack({ port: 8790, persistTo: ".wrangler/docs-state", stdio: "ignore" });
try {
  const out = path.join(ROOT, "docs-screenshot.png");
  chromium(`${stack.origin}/docs`, [`--screenshot=${out}`, "--window-size=1280,1800"]);
  console.log(`wrote ${out}`);
} finally {
  stack.stop();
}
