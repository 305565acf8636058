import { describe, expect, it } from "vitest";
import { DateEvidence, parseDate } from "./dates";

describe("dates", () => {
  it("reads the formats banks write", () => {
    expect(parseDate("2024-01-31", undefined)).toBe("2024-01-31");
    expect(parseDate("31.01.2024", undefined)).toBe("2024-01-31");
    expect(parseDate("01/02/2024", "dmy")).toBe("2024-02-01");
    expect(parseDate("01/02/2024", "mdy")).toBe("2024-01-02");
    expect(parseDate("1/2'24", "mdy")).toBe("2024-01-02");
    expect(parseDate("1/ 2/24", "mdy")).toBe("2024-01-02");
    expect(parseDate("01/02/2024 10:30", "dmy")).toBe("2024-02-01");
    expect(parseDate("2024-01-31T10:00:00+01:00", undefined)).toBe("2024-01-31");
    expect(parseDate("01/02/2024", undefined)).toBeUndefined();
    expect(parseDate("31/02/2024", "dmy")).toBeUndefined();
    expect(parseDate("13/01/2024", "mdy")).toBeUndefined();
    expect(parseDate("yesterday", "dmy")).toBeUndefined();
  });

  it("settles the order from any day over 12, and says when it cannot", () => {
    const e = new DateEvidence();
    ["01/02/2024", "05/03/2024"].forEach((d) => e.see(d));
    expect(e.order()).toBeUndefined();
    e.see("25/03/2024");
    expect(e.order()).toBe("dmy");
    e.see("03/25/2024");
    expect(e.order()).toBe("conflict");
    const us = new DateEvidence();
    us.see("12/31/2024");
    expect(us.order()).toBe("mdy");
    const same = new DateEvidence();
    same.see("01/01/2024");
    same.see("2024-05-06");
    expect(same.order()).toBe("dmy");
  });
});
