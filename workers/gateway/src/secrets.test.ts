import { describe, expect, it } from "vitest";
import { sameSecret } from "./secrets";

describe("sameSecret", () => {
  it("is true only for the identical string, whatever the lengths", () => {
    expect(sameSecret("s3cret-token", "s3cret-token")).toBe(true);
    expect(sameSecret("s3cret-token", "s3cret-tokeN")).toBe(false);
    expect(sameSecret("s3cret", "s3cret-token")).toBe(false);
    expect(sameSecret("", "s3cret-token")).toBe(false);
    expect(sameSecret("\u00e9", "e\u0301")).toBe(false); // composed vs decomposed: different bytes
  });
});
