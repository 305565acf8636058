import type { MiddlewareHandler } from "hono";
import { describe, expect, it } from "vitest";
import { IDENTITY_HEADER, createApp, pathId, resourceRoutes, z } from "./index";

const thing = z.object({ id: z.string(), name: z.string() }).openapi("Thing");
const secret = z.object({ secret: z.string() });
const body = { schema: z.strictObject({ name: z.string() }), description: "The fields" };
/** A write's further check: refuses unless the caller also sent `x-also: yes`. */
const alsoChecked: MiddlewareHandler = async (c, next) => {
  if (c.req.header("x-also") !== "yes") return c.json({ refused: true }, 403);
  await next();
};

/** Every kind of route a resource declares, each with a handler answering what it documents. */
function thingsApp() {
  const things = resourceRoutes({
    path: "/v1/things",
    tags: ["things"],
    params: pathId({ example: "thg_1" }),
    item: thing,
    read: "accounts:read",
    write: "accounts:write",
    writeMiddleware: [alsoChecked],
  });
  const app = createApp("test");
  const one = { id: "thg_1", name: "One" };
  app.openapi(things.list({ summary: "List", page: { name: "ThingPage", description: "A page" } }), (c) =>
    c.json({ data: [one], next_cursor: null }, 200),
  );
  app.openapi(things.get({ summary: "Get", answer: "The thing" }), (c) => c.json({ ...one, id: c.req.valid("param").id }, 200));
  app.openapi(things.create({ summary: "Create", body, answer: "The new thing", conflict: "It exists" }), (c) =>
    c.json({ ...one, name: c.req.valid("json").name }, 201),
  );
  app.openapi(things.update({ summary: "Update", body, answer: "The changed thing" }), (c) => c.json(one, 200));
  app.openapi(things.delete({ summary: "Delete" }), (c) => c.body(null, 204));
  app.openapi(things.action("rotate", { summary: "Rotate", schema: secret, status: 202, answer: "The secret" }), (c) =>
    c.json({ secret: "s" }, 202),
  );
  app.openapi(things.listOf("parts", { summary: "Parts", page: { item: secret, description: "A page of parts" } }), (c) =>
    c.json({ data: [], next_cursor: null }, 200),
  );
  return app;
}

const doc = () => thingsApp().getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
const identity = JSON.stringify({ sub: "usr_1", role: "user", scopes: ["accounts:read", "accounts:write"] });
const env = { LOG_SAMPLE_RATE: "0", CORS_ORIGINS: "" };
const send = (method: string, path: string, headers: Record<string, string> = {}, json?: unknown) =>
  thingsApp().request(
    path,
    {
      method,
      headers: { [IDENTITY_HEADER]: identity, ...(json ? { "content-type": "application/json" } : {}), ...headers },
      body: json ? JSON.stringify(json) : undefined,
    },
    env,
  );

describe("core resourceRoutes", () => {
  it("derives each route's path, method, scope and answers from the resource", () => {
    const paths = doc().paths ?? {};
    const op = (path: string, method: string) => (paths[path] as Record<string, any>)[method];
    const answers = (path: string, method: string) => Object.keys(op(path, method).responses).filter((s) => s < "400" || s === "409");
    expect(Object.keys(paths)).toEqual(["/v1/things", "/v1/things/{id}", "/v1/things/{id}/rotate", "/v1/things/{id}/parts"]);
    expect(answers("/v1/things", "get")).toEqual(["200"]);
    expect(answers("/v1/things", "post")).toEqual(["201", "409"]);
    expect(answers("/v1/things/{id}", "get")).toEqual(["200"]);
    expect(answers("/v1/things/{id}", "patch")).toEqual(["200"]);
    expect(answers("/v1/things/{id}", "delete")).toEqual(["204"]);
    expect(answers("/v1/things/{id}/rotate", "post")).toEqual(["202"]);
    for (const [path, method] of [
      ["/v1/things", "get"],
      ["/v1/things/{id}", "get"],
      ["/v1/things/{id}/parts", "get"],
    ])
      expect(op(path, method).security, `${method} ${path}`).toEqual([{ bearer: ["accounts:read"] }]);
    for (const [path, method] of [
      ["/v1/things", "post"],
      ["/v1/things/{id}", "patch"],
      ["/v1/things/{id}", "delete"],
      ["/v1/things/{id}/rotate", "post"],
    ])
      expect(op(path, method).security, `${method} ${path}`).toEqual([{ bearer: ["accounts:write"] }]);
    // The resource's item unless the route names its own schema; its page is the named component.
    expect(op("/v1/things/{id}", "get").responses["200"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/Thing",
    });
    expect(op("/v1/things", "get").responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/ThingPage" });
    expect(op("/v1/things/{id}/rotate", "post").responses["202"].description).toBe("The secret");
    expect(op("/v1/things/{id}/rotate", "post").requestBody).toBeUndefined();
    expect(op("/v1/things", "post").responses["409"].description).toBe("It exists");
    expect(op("/v1/things/{id}", "delete").responses["204"]).toEqual({ description: "Deleted" });
    expect(op("/v1/things/{id}/parts", "get").parameters.map((p: { name: string }) => p.name)).toEqual(["id", "limit", "cursor"]);
  });

  it("runs the write checks on writes only, after the scope", async () => {
    expect((await send("GET", "/v1/things/thg_2")).status).toBe(200);
    expect((await send("GET", "/v1/things/thg_2/parts")).status).toBe(200);
    expect((await send("POST", "/v1/things", {}, { name: "x" })).status).toBe(403);
    expect((await send("POST", "/v1/things", { "x-also": "yes" }, { name: "x" })).status).toBe(201);
    expect((await send("DELETE", "/v1/things/thg_2")).status).toBe(403);
    expect((await send("DELETE", "/v1/things/thg_2", { "x-also": "yes" })).status).toBe(204);
    expect((await send("POST", "/v1/things/thg_2/rotate", { "x-also": "yes" })).status).toBe(202);
    const noScope = await thingsApp().request("/v1/things/thg_2", { method: "DELETE", headers: { "x-also": "yes" } }, env);
    expect(noScope.status).toBe(401);
  });
});
