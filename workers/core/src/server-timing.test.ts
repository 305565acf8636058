import { describe, expect, it } from "vitest";
import { formatServerTiming, mergeTimings, newTimings, parseServerTiming } from "./server-timing";

describe("Server-Timing parse", () => {
  it("reads names, dur and desc, quoted or not, with any spacing and case of parameter names", () => {
    expect(parseServerTiming('total;dur=12.5, d1;dur=3;desc="2" , do ; DUR=1.25 ; desc=1')).toEqual([
      { name: "total", dur: 12.5 },
      { name: "d1", dur: 3, desc: "2" },
      { name: "do", dur: 1.25, desc: "1" },
    ]);
  });

  it("keeps commas and semicolons inside quoted descriptions and unescapes them", () => {
    expect(parseServerTiming('cache;desc="hit, then \\"miss\\"; really";dur=0.1, x')).toEqual([
      { name: "cache", desc: 'hit, then "miss"; really', dur: 0.1 },
      { name: "x" },
    ]);
  });

  it("skips what it cannot read: empty or bad names, negative or non-numeric dur; the first dur counts", () => {
    expect(parseServerTiming("")).toEqual([]);
    expect(parseServerTiming(null)).toEqual([]);
    expect(parseServerTiming(' , "quoted";dur=1, a b;dur=1, d1;dur=-1;desc="1", do;dur=abc, x;dur=1;dur=2')).toEqual([
      { name: "d1", desc: "1" },
      { name: "do" },
      { name: "x", dur: 1 },
    ]);
  });
});

describe("Server-Timing merge", () => {
  it("adds a callee's d1 and do counts and durations and ignores its total and other entries", () => {
    const t = newTimings();
    t.d1 = { count: 1, dur: 2 };
    mergeTimings(t, parseServerTiming('total;dur=40, d1;dur=3.5;desc="2", do;dur=7;desc="1", cache;desc="9"'));
    mergeTimings(t, parseServerTiming('do;dur=1;desc="3"'));
    expect(t).toEqual({ d1: { count: 3, dur: 5.5 }, do: { count: 4, dur: 8 } });
  });

  it("counts nothing from an entry without a whole, non-negative desc; a missing dur adds 0", () => {
    const t = newTimings();
    mergeTimings(t, parseServerTiming('d1;dur=5, d1;dur=5;desc="x", d1;dur=5;desc="-1", d1;dur=5;desc="1.5", do;desc="2"'));
    expect(t).toEqual({ d1: { count: 0, dur: 0 }, do: { count: 2, dur: 0 } });
  });
});

describe("Server-Timing format", () => {
  it("writes total alone when no D1 statement or object call ran", () => {
    expect(formatServerTiming(3.14159, newTimings())).toBe("total;dur=3.1");
  });

  it("writes d1 and do with their counts in desc, durations rounded to 0.1 ms and never negative", () => {
    const t = newTimings();
    t.d1 = { count: 3, dur: 4.26 };
    t.do = { count: 1, dur: 0 };
    expect(formatServerTiming(-1, t)).toBe('total;dur=0, d1;dur=4.3;desc="3", do;dur=0;desc="1"');
  });

  it("round-trips through parse and merge", () => {
    const t = newTimings();
    t.do = { count: 2, dur: 1.5 };
    const back = mergeTimings(newTimings(), parseServerTiming(formatServerTiming(10, t)));
    expect(back).toEqual({ d1: { count: 0, dur: 0 }, do: { count: 2, dur: 1.5 } });
  });
});
