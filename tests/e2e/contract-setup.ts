// Runs in every e2e test file: after each test, every exchange it made through call() is checked
// against the served /openapi.json (see contract.ts), and the test fails with each mismatch.
import { afterEach, beforeAll } from "vitest";
import { contract, type OpenApiDocument } from "./contract";
import { exchanges, origin } from "./helpers";

let check: ReturnType<typeof contract>["check"];

beforeAll(async () => {
  const res = await fetch(`${origin()}/openapi.json`);
  if (!res.ok) throw new Error(`GET /openapi.json answered ${res.status}`);
  check = contract((await res.json()) as OpenApiDocument).check;
});

afterEach(() => {
  const mismatches = exchanges.splice(0).flatMap((ex) => check(ex));
  if (mismatches.length)
    throw new Error(`${mismatches.length} exchange(s) differ from /openapi.json:\n  ${[...new Set(mismatches)].join("\n  ")}`);
});
