// /docs over plain HTTP (the browser rendering is in tests/browser): the page and every file it links
// come from this origin, the files being the swagger-ui-dist package's own.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { call, origin } from "./helpers";

const dist = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

describe("the API reference page", () => {
  it("links only files of this origin, each served as the package ships it", async () => {
    const page = await call("/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const links = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThanOrEqual(3);
    for (const link of links) {
      expect(link, "a same-origin path").toMatch(/^\/docs\/swagger-ui\/[\w.-]+$/);
      const res = await fetch(origin() + link);
      expect(res.status, link).toBe(200);
      expect(
        Buffer.from(await res.arrayBuffer()).equals(readFileSync(path.join(dist, path.basename(link)))),
        `${link} is the package's file`,
      ).toBe(true);
    }
    expect(page.text).toContain('url: "/openapi.json"');
  });

  it("serves the bundle as JavaScript and the style sheet as CSS", async () => {
    expect((await fetch(`${origin()}/docs/swagger-ui/swagger-ui-bundle.js`)).headers.get("content-type")).toMatch(/javascript/);
    expect((await fetch(`${origin()}/docs/swagger-ui/swagger-ui.css`)).headers.get("content-type")).toMatch(/text\/css/);
  });
});
