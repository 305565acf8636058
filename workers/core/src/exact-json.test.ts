import { describe, expect, it } from "vitest";
import { exactJsonText, parseExactJson } from "./exact-json";

describe("exactJsonText", () => {
  it("writes what JSON.stringify writes when there is no bigint", () => {
    const value = {
      a: 1,
      b: 'x"\n\u0000',
      c: [1, null, undefined, true],
      d: undefined,
      e: { f: -0.5 },
      g: new Date(0),
      h: () => 1,
      'k"ey': [],
    };
    expect(exactJsonText(value)).toBe(JSON.stringify(value));
    for (const v of [null, 3, "s", [], {}]) expect(exactJsonText(v)).toBe(JSON.stringify(v));
    expect(exactJsonText(undefined)).toBe("null");
  });

  it("writes bigints as exact digits, the same as a number when it is safe", () => {
    expect(exactJsonText({ n: 42n, m: [-(2n ** 70n) - 1n] })).toBe('{"n":42,"m":[-1180591620717411303425]}');
    expect(exactJsonText({ n: 9_007_199_254_740_991n })).toBe(JSON.stringify({ n: Number.MAX_SAFE_INTEGER }));
    // A string that looks like a bigint stays a string.
    expect(exactJsonText({ s: "123n", t: "\u0000big:1" })).toBe(JSON.stringify({ s: "123n", t: "\u0000big:1" }));
  });

  it("reads them back exactly: integers past 2^53 as bigints, everything else as JSON.parse does", () => {
    const text = exactJsonText({ n: 42n, big: -(2n ** 70n) - 1n, f: 0.5, s: "9007199254740993" });
    expect(parseExactJson(text)).toEqual({ n: 42, big: -(2n ** 70n) - 1n, f: 0.5, s: "9007199254740993" });
    expect(parseExactJson("[1e300]")).toEqual([1e300]); // not an integer's digits: a number
  });
});
