import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { matching } from "./patterns";

const documentedPattern = (schema: z.ZodString) => {
  const app = new OpenAPIHono();
  app.openapi(
    createRoute({
      method: "post",
      path: "/x",
      request: { body: { content: { "application/json": { schema: z.object({ name: schema }) } } } },
      responses: { 204: { description: "ok" } },
    }),
    (c) => c.body(null, 204),
  );
  const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } }) as any;
  return doc.paths["/x"].post.requestBody.content["application/json"].schema.properties.name.pattern as string;
};

describe("matching", () => {
  it("documents a unicode expression by its source, with no flag in the text", () => {
    const schema = matching(z.string().min(1), /^[^\p{Cc}]*$/u, "no control characters");
    expect(documentedPattern(schema)).toBe("^[^\\p{Cc}]*$");
    expect(new RegExp(documentedPattern(schema), "u").test("Compte joint – Zoë")).toBe(true);
  });

  it("still validates with the expression and its flag", () => {
    const schema = matching(z.string(), /^[^\p{Cc}]*$/u, "no control characters");
    expect(schema.safeParse("Café").success).toBe(true);
    expect(schema.safeParse("a\u0007b").error?.issues[0]?.message).toBe("no control characters");
  });

  it("refuses flags a JSON Schema pattern cannot express", () => {
    expect(() => matching(z.string(), /^a$/i, "a")).toThrow(/flags "i"/);
  });
});
