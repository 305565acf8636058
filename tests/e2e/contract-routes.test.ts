// What the document promises for the answers every route can give besides its own: a route's own
// responses are not overwritten by the factory's defaults, a body limit (413) and a content-type check
// (415) are documented where they apply, problems are documented as Problem, and a header the route
// requires is required in the document. The exchanges below are checked against it by contract-setup.ts.
import { beforeAll, describe, expect, it } from "vitest";
import type { OpenApiDocument } from "./contract";
import { call, expectProblem, register } from "./helpers";

let doc: OpenApiDocument;
let token = "";
beforeAll(async () => {
  doc = (await call("/openapi.json")).body;
  token = await register("contract");
});

const op = (method: string, path: string) => {
  const found = doc.paths[path]?.[method];
  if (!found) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
  return found;
};
const PROBLEM = { $ref: "#/components/schemas/Problem" };
const problemAt = (method: string, path: string, status: number) =>
  op(method, path).responses?.[String(status)]?.content?.["application/problem+json"]?.schema;

describe("the documented responses", () => {
  it("keep a route's own response over the factory's default (OAuth's RFC 6749 400)", () => {
    const bad = op("post", "/v1/oauth/token").responses?.["400"]?.content ?? {};
    expect(Object.keys(bad)).toEqual(["application/json"]);
  });

  it("document 413 as a problem on every operation with a body, 415 where the content type is checked", () => {
    const missing: string[] = [];
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, o] of Object.entries(item)) {
        if (!o.requestBody) continue;
        const types = Object.keys(o.requestBody.content ?? {});
        if (JSON.stringify(problemAt(method, path, 413)) !== JSON.stringify(PROBLEM)) missing.push(`${method} ${path} 413`);
        // OAuth reads any body and answers its own RFC 6749 invalid_request: no 415 there.
        const checked = path !== "/v1/oauth/token";
        if (checked && JSON.stringify(problemAt(method, path, 415)) !== JSON.stringify(PROBLEM))
          missing.push(`${method} ${path} 415 (${types.join(", ")})`);
        if (!checked && o.responses?.["415"]) missing.push(`${method} ${path} documents a 415 it never answers`);
      }
    expect(missing).toEqual([]);
    expect(problemAt("post", "/v1/accounts/{id}/imports", 415)).toEqual(PROBLEM);
  });

  it("document the 409s of payments and reversals as problems", () => {
    expect(problemAt("post", "/v1/payments", 409)).toEqual(PROBLEM);
    expect(problemAt("post", "/v1/transactions/{id}/reverse", 409)).toEqual(PROBLEM);
  });

  it("mark POST /v1/payments' Idempotency-Key as required, and a payment without one is still a 400 problem", async () => {
    const header = op("post", "/v1/payments").parameters?.find((p) => p.in === "header" && p.name.toLowerCase() === "idempotency-key");
    expect(header?.required).toBe(true);
    const res = await call("/v1/payments", {
      method: "POST",
      token,
      json: { source_account_id: "acc_x", destination_account_id: "acc_y", amount: 1, currency: "EUR" },
    });
    const problem = expectProblem(res, 400, "validation_failed");
    expect(problem.errors).toEqual([{ path: "Idempotency-Key", message: "required" }]);
  });

  it("answers a second reversal with the documented 409 problem", async () => {
    const acc = await call("/v1/accounts", { method: "POST", token, json: { name: "Main", type: "checking", currency: "EUR" } });
    expect(acc.status, acc.text).toBe(201);
    const txn = await call(`/v1/accounts/${acc.body.id}/transactions`, {
      method: "POST",
      token,
      json: { amount: 500, description: "refund" },
    });
    expect(txn.status, txn.text).toBe(201);
    expect((await call(`/v1/transactions/${txn.body.id}/reverse`, { method: "POST", token })).status).toBe(201);
    expectProblem(await call(`/v1/transactions/${txn.body.id}/reverse`, { method: "POST", token }), 409, "conflict");
  });
});
