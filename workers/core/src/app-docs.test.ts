import { describe, expect, it } from "vitest";
import { createApp, defineRoute, jsonBody, jsonResponse, problemDoc, z } from "./index";

/** The document defineRoute writes for one route, as the gateway's /openapi.json would carry it. */
function responsesOf(route: Parameters<typeof defineRoute>[0]) {
  const app = createApp("test");
  app.openapi(defineRoute(route), (c) => c.body(null, 204));
  const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } }) as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
  };
  return doc.paths[route.path]![route.method]!.responses;
}
const types = (r: { content?: object } | undefined) => Object.keys(r?.content ?? {});

describe("defineRoute's documented responses", () => {
  it("keeps a route's own response for a status the factory also documents", () => {
    const responses = responsesOf({
      method: "post",
      path: "/token",
      scope: null,
      request: { body: { required: true, content: { "application/x-www-form-urlencoded": { schema: { type: "object" } } } } },
      responses: {
        200: jsonResponse(z.object({ ok: z.boolean() }), "ok"),
        400: jsonResponse(z.object({ error: z.string() }), "RFC 6749 error"),
      },
    });
    expect(types(responses["400"])).toEqual(["application/json"]);
    expect(types(responses["404"])).toEqual(["application/problem+json"]);
  });

  it("documents 413 for a body and 415 where the body's content type is checked (zod schemas), neither without a body", () => {
    const json = responsesOf({
      method: "post",
      path: "/things",
      scope: null,
      request: jsonBody(z.strictObject({ a: z.number() })),
      responses: { 204: { description: "done" } },
    });
    expect(types(json["413"])).toEqual(["application/problem+json"]);
    expect(types(json["415"])).toEqual(["application/problem+json"]);
    const csv = responsesOf({
      method: "post",
      path: "/imports",
      scope: "transactions:write",
      request: { body: { required: true, content: { "text/csv": { schema: z.string() } } } },
      responses: { 204: { description: "done" } },
    });
    expect(types(csv["415"])).toEqual(["application/problem+json"]);
    const handRead = responsesOf({
      method: "post",
      path: "/token",
      scope: null,
      request: { body: { required: true, content: { "application/x-www-form-urlencoded": { schema: { type: "object" } } } } },
      responses: { 204: { description: "done" } },
    });
    expect(types(handRead["413"])).toEqual(["application/problem+json"]);
    expect(handRead["415"]).toBeUndefined();
    const get = responsesOf({
      method: "get",
      path: "/list",
      scope: null,
      responses: { 200: jsonResponse(z.object({}), "ok"), 409: problemDoc("busy") },
    });
    expect(get["413"]).toBeUndefined();
    expect(get["415"]).toBeUndefined();
    expect(types(get["409"])).toEqual(["application/problem+json"]);
  });
});
