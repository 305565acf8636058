// Calls between workers over the multi-worker `wrangler dev` are RPC to each worker's default
// WorkerEntrypoint: the optimiser's tax figures and the ledger's categories arrive, and neither
// reaches the callee as an HTTP request (each worker's request counters in /metrics stay put).
import { describe, expect, inject, it } from "vitest";
import { FR_COUPLE_2025 } from "../shared/households";
import { call, register } from "./helpers";

/** Requests `worker` has served at `route` so far (every status). */
async function served(worker: string, route: string): Promise<number> {
  const text = (await call("/metrics", { token: inject("metricsToken") })).text;
  let n = 0;
  for (const m of text.matchAll(/^http_requests_total\{([^}]*)\} (\d+)$/gm))
    if (m[1]!.includes(`worker="${worker}"`) && m[1]!.includes(`route="${route}"`)) n += Number(m[2]);
  return n;
}

describe("calls between workers over wrangler dev", () => {
  it("the tax optimiser asks the tax worker by RPC: no income-tax request, savings equal to the endpoint's", async () => {
    const token = await register("rpc-tax");
    const body = FR_COUPLE_2025;
    const before = await served("tax", "/v1/tax/income-tax");
    const res = await call("/v1/ai/tax-optimization", { method: "POST", token, json: { ...body, cash_available: 800_000 } });
    expect(res.status, res.text).toBe(200);
    expect(await served("tax", "/v1/tax/income-tax")).toBe(before);
    const base = await call("/v1/tax/income-tax", { method: "POST", token, json: body });
    expect(res.body.baseline_tax).toBe(base.body.tax);
    const per = res.body.suggestions.find((s: { kind: string }) => s.kind === "fr_per_contribution");
    const after = await call("/v1/tax/income-tax", {
      method: "POST",
      token,
      json: { ...body, income: { taxable_income: base.body.taxable_income - per.amount } },
    });
    expect(per.tax_saving).toBe(base.body.tax - after.body.tax);
  });

  it("the ledger asks the ai worker by RPC: a transaction without a category gets one, with no HTTP request to the ai worker", async () => {
    const token = await register("rpc-ai");
    const acc = await call("/v1/accounts", {
      method: "POST",
      token,
      json: { name: "Main", type: "checking", currency: "EUR", overdraft_limit: null },
    });
    expect(acc.status, acc.text).toBe(201);
    const before = await served("ai", "/internal/categorize");
    const tx = await call(`/v1/accounts/${acc.body.id}/transactions`, {
      method: "POST",
      token,
      json: { amount: -4_599, description: "CB CARREFOUR MARKET 12/03 PARIS" },
    });
    expect(tx.status, tx.text).toBe(201);
    expect(tx.body.category).toBe("groceries");
    expect(await served("ai", "/internal/categorize")).toBe(before);
  });
});
