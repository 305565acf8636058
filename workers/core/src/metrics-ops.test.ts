import { describe, expect, it } from "vitest";
import { observeRequest, observeWebhookDelivery, renderSeries, writeRequestPoint } from "./metrics";

describe("operations metrics", () => {
  it("adds each request's D1 and object usage to its worker's counters, and reports webhook outcomes from zero", () => {
    observeRequest("opsw", "GET", "/x", 200, 3, { d1: { count: 2, dur: 1.5 }, do: { count: 1, dur: 4 } });
    observeRequest("opsw", "GET", "/x", 200, 3, { d1: { count: 1, dur: 0.5 }, do: { count: 0, dur: 0 } });
    let text = renderSeries();
    expect(text).toContain('ef_d1_statements_total{worker="opsw"} 3\n');
    expect(text).toContain('ef_d1_time_seconds_total{worker="opsw"} 0.002000\n');
    expect(text).toContain('ef_do_calls_total{worker="opsw"} 1\n');
    expect(text).toContain('ef_do_time_seconds_total{worker="opsw"} 0.004000\n');
    expect(text).toContain('ef_webhook_deliveries_total{worker="opsw",outcome="failed"} 0\n');
    observeWebhookDelivery("failed");
    text = renderSeries();
    expect(text).toContain('ef_webhook_deliveries_total{worker="opsw",outcome="failed"} 1\n');
    expect(text).toContain('ef_webhook_deliveries_total{worker="opsw",outcome="delivered"} 0\n');
  });

  it("writes one Analytics Engine point per request, and nothing (no throw) without a binding or when the write fails", () => {
    const points: unknown[] = [];
    writeRequestPoint({ writeDataPoint: (p) => points.push(p) }, "gateway", "POST", "/v1/payments", 201, 12.5, {
      d1: { count: 0, dur: 0 },
      do: { count: 2, dur: 9 },
    });
    expect(points).toEqual([{ indexes: ["gateway"], blobs: ["gateway", "POST", "/v1/payments", "201"], doubles: [12.5, 201, 0, 0, 2, 9] }]);
    expect(() => writeRequestPoint(undefined, "w", "GET", "/", 200, 1)).not.toThrow();
    const failing = {
      writeDataPoint: () => {
        throw new Error("quota");
      },
    };
    expect(() => writeRequestPoint(failing, "w", "GET", "/", 200, 1)).not.toThrow();
  });
});
