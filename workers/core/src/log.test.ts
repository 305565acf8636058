import { describe, expect, it } from "vitest";
import { logSampleRate, sampleRequest } from "./log";

describe("log sampling", () => {
  it("reads LOG_SAMPLE_RATE as a share in [0, 1]; unset, empty or garbage is 0", () => {
    expect(logSampleRate(undefined)).toBe(0);
    expect(logSampleRate("")).toBe(0);
    expect(logSampleRate("often")).toBe(0);
    expect(logSampleRate("0.01")).toBe(0.01);
    expect(logSampleRate("1")).toBe(1);
    expect(logSampleRate("7")).toBe(1);
    expect(logSampleRate("-2")).toBe(0);
  });

  it("draws no random number at rate 0 or 1, and follows the gateway's decision when there is one", () => {
    const never = () => {
      throw new Error("drew a random number");
    };
    expect(sampleRequest(0, undefined, never)).toBe(false);
    expect(sampleRequest(1, undefined, never)).toBe(true);
    expect(sampleRequest(0, "1", never)).toBe(true);
    expect(sampleRequest(1, "0", never)).toBe(false);
    expect(sampleRequest(0.5, undefined, () => 0.49)).toBe(true);
    expect(sampleRequest(0.5, undefined, () => 0.5)).toBe(false);
  });
});
