// The OpenAPI document as a client would use it: its schemas compile in a strict JSON Schema 2020-12
// validator in unicode mode, its patterns accept their own examples, and (with contract-setup.ts, which
// checks every exchange of every e2e file) what the workers answer matches it.
import { beforeAll, describe, expect, it } from "vitest";
import { contract, patterns, schemaValidator, type OpenApiDocument } from "./contract";
import { call, register, type Exchange } from "./helpers";

let doc: OpenApiDocument;
beforeAll(async () => {
  doc = (await call("/openapi.json")).body;
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

describe("the OpenAPI document", () => {
  it("has schemas that all compile in Ajv 2020 (strict, unicode mode)", () => {
    const compile = schemaValidator(doc);
    const failures: string[] = [];
    const attempt = (where: string, schema: unknown) => {
      try {
        compile(schema as object);
      } catch (e) {
        failures.push(`${where}: ${(e as Error).message}`);
      }
    };
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) attempt(`#/components/schemas/${name}`, schema);
    for (const { name, op } of operations()) {
      for (const p of op.parameters ?? []) attempt(`${name} ${p.in} ${p.name}`, p.schema ?? {});
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) attempt(`${name} request ${type}`, media.schema ?? {});
      for (const [status, r] of Object.entries(op.responses ?? {}))
        for (const [type, media] of Object.entries(r.content ?? {})) attempt(`${name} ${status} ${type}`, media.schema ?? {});
    }
    expect(failures).toEqual([]);
  });

  it("has patterns that are unicode-mode ECMA-262 expressions without flags and accept their examples", () => {
    const found = patterns(doc);
    expect(found.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const { at, pattern, examples } of found) {
      let re: RegExp;
      try {
        re = new RegExp(pattern, "u");
      } catch (e) {
        failures.push(`${at}: ${JSON.stringify(pattern)} does not compile with the u flag: ${(e as Error).message}`);
        continue;
      }
      // A regex literal's flags written into the text (`…$/u`) compile but match nothing intended.
      if (/\/[dgimsuvy]+$/.test(pattern)) failures.push(`${at}: ${JSON.stringify(pattern)} ends in regex flags`);
      for (const example of examples)
        if (typeof example === "string" && !re.test(example))
          failures.push(`${at}: ${JSON.stringify(pattern)} rejects its example ${JSON.stringify(example)}`);
    }
    expect(failures).toEqual([]);
  });

  it("documents every problem response with the Problem schema", () => {
    const failures: string[] = [];
    for (const { name, op } of operations())
      for (const [status, r] of Object.entries(op.responses ?? {})) {
        const media = r.content?.["application/problem+json"];
        if (media && media.schema?.$ref !== "#/components/schemas/Problem")
          failures.push(`${name} ${status}: ${JSON.stringify(media.schema)}`);
      }
    expect(failures).toEqual([]);
  });
});

describe("the exchange check", () => {
  const exchange = (over: Partial<Exchange>): Exchange => ({
    method: "GET",
    url: "http://127.0.0.1/health",
    requestHeaders: new Headers(),
    requestBody: undefined,
    status: 200,
    responseHeaders: new Headers({ "content-type": "application/json" }),
    body: { status: "ok" },
    text: '{"status":"ok"}',
    ...over,
  });

  it("passes a conforming exchange and reports each kind of difference", () => {
    const { check } = contract(doc);
    expect(check(exchange({}))).toEqual([]);
    expect(check(exchange({ body: { status: "fine" } })).join()).toContain("response body does not match");
    expect(check(exchange({ status: 418 })).join()).toContain("status 418 is not documented");
    const problem = { "content-type": "application/problem+json" };
    expect(
      check(exchange({ url: "http://127.0.0.1/nowhere", status: 404, responseHeaders: new Headers(problem), body: { title: "x" } })).join(),
    ).toContain("does not match Problem");
    // A request the server accepted (2xx) that the document would refuse.
    const accepted = exchange({
      method: "POST",
      url: "http://127.0.0.1/v1/accounts",
      requestHeaders: new Headers({ "content-type": "application/json" }),
      requestBody: { name: "Main", type: "checking", currency: "EUR", colour: "blue" },
      status: 201,
      body: {},
    });
    expect(check(accepted).join()).toContain("request body does not match the documented schema: / must NOT have additional properties");
  });
});

describe("named resources as a validating client would create them", () => {
  let token: string;
  beforeAll(async () => {
    token = await register("contract");
  });

  // Each answer here is also checked against the document by contract-setup.ts: a name the document's
  // pattern refuses fails the test even though the worker accepted it.
  it("creates and renames an account, a category and a rule with ordinary names", async () => {
    const account = await call("/v1/accounts", {
      method: "POST",
      token,
      json: { name: "Everyday account", type: "checking", currency: "EUR" },
    });
    expect(account.status).toBe(201);
    expect((await call(`/v1/accounts/${account.body.id}`, { method: "PATCH", token, json: { name: "Compte joint – Zoë" } })).status).toBe(
      200,
    );
    expect((await call("/v1/categories", { method: "POST", token, json: { name: "Coffee shops", parent: "dining" } })).status).toBe(201);
    expect(
      (await call("/v1/categories/rules", { method: "POST", token, json: { contains: "Carrefour", category: "groceries" } })).status,
    ).toBe(201);
    expect((await call("/v1/accounts", { token })).status).toBe(200);
  });
});
