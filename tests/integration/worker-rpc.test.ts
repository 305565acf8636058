// Calls between workers are typed WorkerEntrypoint RPC methods (contracts in workers/core/src/rpc.ts):
// the tax optimiser asks the tax engine with TAX.incomeTax / incomeTaxMany, the ledger asks the ai
// worker with AI_SERVICE.categorize. None of them is an HTTP request any more, and the answers are
// exactly those of the public endpoints.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AiRpc, Identity, TaxRpc } from "#core";
import { ORIGIN, api, createAccount, createUser, record } from "./support";

const SCRAPE = () => env.METRICS_TOKEN as string;
const TAX = () => env.TAX as unknown as TaxRpc;
const AI = () => env.AI_SERVICE as unknown as AiRpc;

/** Requests the `worker` has served at `route` so far (every status), from the gateway's /metrics. */
async function served(worker: string, route: string): Promise<number> {
  const text = (await api("/metrics", { token: SCRAPE() })).body as string;
  // One test worker holds every domain, so each series appears once per part: count the first copy.
  const seen = new Map<string, number>();
  for (const m of text.matchAll(/^http_requests_total\{([^}]*)\} (\d+)$/gm))
    if (m[1]!.includes(`worker="${worker}"`) && m[1]!.includes(`route="${route}"`) && !seen.has(m[1]!)) seen.set(m[1]!, Number(m[2]));
  return [...seen.values()].reduce((a, b) => a + b, 0);
}

const identity = (sub: string, scopes: Identity["scopes"] = ["tax:read"]): Identity => ({ sub, role: "user", scopes });
const fr = { jurisdiction: "FR", income_year: 2025, filing_status: "married", dependents: 2, income: { salaries: [5_500_000, 3_800_000] } };

describe("the tax engine by RPC", () => {
  it("incomeTax and incomeTaxMany answer exactly what POST /v1/tax/income-tax answers, refusals included", async () => {
    const u = await createUser();
    const bad = [
      { ...fr, filing_status: "married_joint" }, // the engine's own rule
      { ...fr, jurisdiction: "XX" }, // the request schema
      { ...fr, coupon: 1 }, // unknown field
      { ...fr, income: { taxable_income: -1 } },
    ];
    const http = await Promise.all([fr, ...bad].map((json) => api("/v1/tax/income-tax", { method: "POST", token: u.token, json })));
    expect(http.map((r) => r.status)).toEqual([200, 422, 422, 422, 422]);
    const one = await TAX().incomeTax(fr, identity(u.id));
    expect(one).toEqual({ ok: true, value: http[0]!.body });
    const many = await TAX().incomeTaxMany([fr, ...bad] as Parameters<TaxRpc["incomeTaxMany"]>[0], identity(u.id));
    expect(many).toHaveLength(5);
    expect(many[0]).toEqual({ ok: true, value: http[0]!.body });
    many.slice(1).forEach((answer, i) => {
      const problem = http[i + 1]!.body;
      expect(answer).toEqual({ ok: false, code: problem.code, status: problem.status, detail: problem.detail, errors: problem.errors });
    });
  });

  it("acts for the caller: without tax:read every answer is 403 forbidden, as the endpoint's", async () => {
    const u = await createUser({ scopes: ["ai:read"] });
    const http = await api("/v1/tax/income-tax", { method: "POST", token: u.token, json: fr });
    expect(http.status).toBe(403);
    const answers = await TAX().incomeTaxMany([fr, fr], identity(u.id, ["ai:read"]));
    for (const a of answers) expect(a).toEqual({ ok: false, code: "forbidden", status: 403, detail: http.body.detail });
    expect(await TAX().incomeTax(fr, identity(u.id, ["ai:read"]))).toEqual({
      ok: false,
      code: "forbidden",
      status: 403,
      detail: http.body.detail,
    });
    const opt = await api("/v1/ai/tax-optimization", { method: "POST", token: u.token, json: fr });
    expect([opt.status, opt.body.code]).toEqual([403, "forbidden"]);
  });

  it("the optimiser sends no HTTP request to the tax worker, and its answers are still the endpoint's", async () => {
    const u = await createUser();
    const before = await served("tax", "/v1/tax/income-tax");
    const res = await api("/v1/ai/tax-optimization", { method: "POST", token: u.token, json: { ...fr, cash_available: 800_000 } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.suggestions.length).toBeGreaterThanOrEqual(3);
    expect(await served("tax", "/v1/tax/income-tax")).toBe(before);
    const base = await api("/v1/tax/income-tax", { method: "POST", token: u.token, json: fr });
    expect(res.body.baseline_tax).toBe(base.body.tax);
    const per = res.body.suggestions.find((s: { kind: string }) => s.kind === "fr_per_contribution");
    const after = await api("/v1/tax/income-tax", {
      method: "POST",
      token: u.token,
      json: { ...fr, income: { taxable_income: base.body.taxable_income - per.amount } },
    });
    expect(per.tax_after).toBe(after.body.tax);
    expect(per.tax_saving).toBe(base.body.tax - after.body.tax);
  });

  it("the optimiser passes the engine's refusals through unchanged", async () => {
    const u = await createUser();
    for (const json of [
      { ...fr, filing_status: "married_joint" },
      { ...fr, jurisdiction: "XX" },
      { ...fr, income_year: 1990 },
    ]) {
      const direct = await api("/v1/tax/income-tax", { method: "POST", token: u.token, json });
      const opt = await api("/v1/ai/tax-optimization", { method: "POST", token: u.token, json });
      expect(opt.status).toBe(422);
      expect({ code: opt.body.code, detail: opt.body.detail, errors: opt.body.errors }).toEqual({
        code: direct.body.code,
        detail: direct.body.detail,
        errors: direct.body.errors,
      });
    }
  });
});

describe("the categoriser by RPC", () => {
  it("AI_SERVICE.categorize answers one category per line, in order", async () => {
    const answers = await AI().categorize([
      { description: "CB CARREFOUR MARKET 12/03 PARIS", amount: -4_599 },
      { description: "VIR SEPA SALAIRE ACME SAS", amount: 250_000, counterparty: "ACME" },
    ]);
    expect(answers.map((a) => a.category)).toEqual(["groceries", "income"]);
    for (const a of answers) {
      expect(a.confidence).toBeGreaterThanOrEqual(0);
      expect(a.confidence).toBeLessThanOrEqual(1);
      expect(["rule", "model", "workers_ai"]).toContain(a.source);
    }
    expect(await AI().categorize([])).toEqual([]);
  });

  it("the ai worker serves no /internal/categorize any more, and the ledger still categorises without it", async () => {
    const ai = (exports as unknown as Record<string, Fetcher>).AiService;
    const res = await ai.fetch(`${ORIGIN}/internal/categorize`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ transactions: [{ description: "x", amount: -1 }] }),
    });
    expect(res.status).toBe(404);
    const u = await createUser();
    const acc = await createAccount(u.id);
    await record(u.token, acc, { amount: 100_000, description: "opening", category: "income" });
    const before = await served("ai", "/internal/categorize");
    const tx = await record(u.token, acc, { amount: -4_599, description: "CB CARREFOUR MARKET 12/03 PARIS" });
    expect(tx.status, JSON.stringify(tx.body)).toBe(201);
    expect(tx.body.category).toBe("groceries");
    expect(await served("ai", "/internal/categorize")).toBe(before);
  });
});
