import { describe, expect, it } from "vitest";
import { commonPasswords, dummyVerify, hashPassword, isCommonPassword, needsRehash, passwordProblems, verifyPassword } from "./password";

describe("password hashing (scrypt)", () => {
  it("stores the parameters, a per-user salt and the hash, and verifies", async () => {
    const a = await hashPassword("correct horse battery staple");
    const b = await hashPassword("correct horse battery staple");
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b); // different salts
    expect(await verifyPassword("correct horse battery staple", a)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", a)).toBe(false);
    expect(await verifyPassword("", a)).toBe(false);
  });

  it("verifies hashes made with other parameters, and flags weaker ones for rehash", async () => {
    const weak = await hashPassword("an old password here", { N: 1024, r: 8, p: 1 });
    expect(weak.startsWith("scrypt$1024$8$1$")).toBe(true);
    expect(await verifyPassword("an old password here", weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(await hashPassword("x".repeat(12)))).toBe(false);
  });

  it("never throws on malformed or absent hashes", async () => {
    for (const bad of [
      null,
      undefined,
      "",
      "bcrypt$x",
      "scrypt$abc$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
      "scrypt$16384$8$1$$",
      "scrypt$3$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
      "scrypt$4194304$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    ])
      expect(await verifyPassword("whatever password", bad)).toBe(false);
    expect(await dummyVerify("whatever")).toBe(false);
  });

  it("normalises Unicode so composed and decomposed input match", async () => {
    const h = await hashPassword("mot de passe é très long");
    expect(await verifyPassword("mot de passe e\u0301 tre\u0300s long", h)).toBe(true);
  });
});

describe("password policy", () => {
  it("ships a list of at least 10 000 common passwords", () => {
    expect(commonPasswords().size).toBeGreaterThanOrEqual(10_000);
    expect(isCommonPassword("password123")).toBe(true);
    expect(isCommonPassword("QWERTYUIOP")).toBe(true);
    expect(isCommonPassword("a long and unusual passphrase")).toBe(false);
  });

  it("requires 10 characters, refuses common and trivial passwords", () => {
    expect(passwordProblems("xq7#Lm")).toEqual(["must be at least 10 characters"]);
    expect(passwordProblems("short")).toContain("must be at least 10 characters");
    expect(passwordProblems("1234567890")).toEqual([expect.stringContaining("too common")]);
    expect(passwordProblems("zzzzzzzzzzzz")).toEqual([expect.stringContaining("too easy")]);
    expect(passwordProblems("a long and unusual passphrase")).toEqual([]);
    // Length counts characters, not UTF-16 units.
    expect(passwordProblems("😀😀😀😀😀🙂🙂🙂🙂")).toContain("must be at least 10 characters");
  });
});
