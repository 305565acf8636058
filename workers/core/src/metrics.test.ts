import { describe, expect, it } from "vitest";
import { escapeLabelValue, observeRequest, renderSeries } from "./metrics";

describe("Prometheus text", () => {
  it("escapes backslash, double quote and line feed in label values", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it("escapes every label, the method included", () => {
    observeRequest("w", 'GE"T\n', "/r\\", 200, 1);
    expect(renderSeries()).toContain('http_requests_total{worker="w",method="GE\\"T\\n",route="/r\\\\",status="200"} 1');
  });
});
