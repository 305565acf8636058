// Every metric the Grafana dashboard and the alert rules read is served by the live /metrics
// (scripts/monitoring/), so a renamed series breaks this test rather than a dashboard in production.
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
// @ts-expect-error plain ESM module
import { metricNames, monitoringExpressions } from "../../scripts/monitoring/promql-names.mjs";
import { call, register } from "./helpers";

describe("monitoring", () => {
  it("the dashboard's and the rules' metrics are all served by /metrics", async () => {
    // Traffic that reaches every kind of series: requests, D1, objects, the projection.
    const token = await register("monitoring");
    const acc = async () =>
      (await call("/v1/accounts", { method: "POST", token, json: { name: "M", type: "checking", currency: "EUR" } })).body.id;
    const [a, b] = [await acc(), await acc()];
    expect(
      (await call(`/v1/accounts/${a}/transactions`, { method: "POST", token, json: { amount: 5000, description: "in" } })).status,
    ).toBe(201);
    const paid = await call("/v1/payments", {
      method: "POST",
      token,
      json: { source_account_id: a, destination_account_id: b, amount: 100, currency: "EUR" },
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    expect(paid.status).toBe(201);

    const { dashboard, rules, recorded } = monitoringExpressions() as { dashboard: string[]; rules: string[]; recorded: Set<string> };
    const wanted = new Set<string>();
    for (const e of [...dashboard, ...rules]) for (const n of metricNames(e) as Set<string>) if (!recorded.has(n)) wanted.add(n);
    expect(wanted.size).toBeGreaterThan(5);

    let missing: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${inject("origin")}/metrics`, { headers: { authorization: `Bearer ${inject("metricsToken")}` } });
      expect(res.status).toBe(200);
      const served = new Set(
        (await res.text())
          .split("\n")
          .filter((l) => l && !l.startsWith("#"))
          .map((l) => l.split(/[{\s]/)[0]),
      );
      missing = [...wanted].filter((n) => !served.has(n));
      if (!missing.length) break;
      await new Promise((r) => setTimeout(r, 200)); // the projection lands after the answer
    }
    expect(missing).toEqual([]);
  });
});
