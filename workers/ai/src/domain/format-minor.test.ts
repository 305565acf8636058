import { describe, expect, it } from "vitest";
import { formatMinor } from "./text";

describe("formatMinor", () => {
  it("formats an exact bigint total digit for digit, as it formats a safe number", () => {
    expect(formatMinor(10_000_000_000_000_001n)).toBe("100000000000000.01");
    expect(formatMinor(-(2n ** 64n) - 5n, 3)).toBe("-18446744073709551.621");
    expect(formatMinor(-7n, 0)).toBe("-7");
    for (const [n, d] of [
      [-1234, 2],
      [5, 2],
      [0, 2],
      [-42, 0],
      [1005, 3],
    ] as const)
      expect(formatMinor(BigInt(n), d)).toBe(formatMinor(n, d));
  });
});
