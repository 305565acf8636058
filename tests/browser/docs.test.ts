// /docs in headless Chromium with every host but loopback unresolvable: Swagger UI comes from this
// origin, renders every operation of /openapi.json, and offers the bearer "Authorize" for "Try it out".
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with `npm run docs:screenshot`
import { CHROMIUM, chromium } from "../../scripts/chromium.mjs";
import { call, origin } from "../e2e/helpers";

type Doc = { paths: Record<string, Record<string, { security?: unknown[] }>> };

describe("API reference in a browser", () => {
  let dom: string;
  let doc: Doc;
  beforeAll(async () => {
    if (!CHROMIUM) throw new Error("Chromium is required for this test: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH");
    doc = (await call("/openapi.json")).body;
    dom = chromium(`${origin()}/docs`, ["--dump-dom"]);
  });

  it("renders every operation of /openapi.json, and nothing else, with networking off", () => {
    const expected = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    // Each operation is a Swagger UI block: <div class="opblock opblock-get" …> … data-path="/v1/…".
    const rendered = [...dom.matchAll(/class="opblock opblock-(\w+)[^"]*"[\s\S]*?data-path="([^"]*)"/g)].map(
      ([, method, path]) => `${method!.toUpperCase()} ${path!.replaceAll("&amp;", "&")}`,
    );
    expect(expected.length).toBeGreaterThan(50);
    expect(rendered.sort()).toEqual(expected.sort());
  });

  it("offers the bearer token for Try it out: Authorize, and a lock on each secured operation", () => {
    expect(dom).toMatch(/class="btn authorize/);
    const secured = Object.values(doc.paths).flatMap((ops) => Object.values(ops)).filter((o) => o.security?.length).length;
    expect((dom.match(/class="authorization__btn"/g) ?? []).length).toBe(secured);
  });
});
