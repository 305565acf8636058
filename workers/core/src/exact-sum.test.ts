import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import { exactSum, readExactSum } from "./exact-sum";
import { MAX_AMOUNT } from "./money";

// A scratch table in the test's own D1: the SQL rule is checked against SQLite itself.
const db = () => drizzle(env.DB);
const total = async (table: string, expr = sql`x`) => {
  const [row] = await db().all<{ s: string }>(sql`SELECT ${exactSum(expr)} AS s FROM ${sql.raw(table)}`);
  return readExactSum(row!.s);
};

describe("exactSum in D1", () => {
  const M = BigInt(MAX_AMOUNT);
  // 2^53 ± small, negative, odd: every sign and remainder case of the split.
  const values = [
    M,
    -M,
    M - 1n,
    -(M - 1n),
    16_777_215n,
    -16_777_215n,
    16_777_216n,
    -16_777_216n,
    16_777_217n,
    -16_777_217n,
    1n,
    -1n,
    0n,
    12_345_678_901n,
    -98_765_432_109n,
  ];

  beforeAll(async () => {
    await env.DB.exec(
      "CREATE TABLE IF NOT EXISTS scratch_small (x INTEGER); CREATE TABLE IF NOT EXISTS scratch_big (x INTEGER); CREATE TABLE IF NOT EXISTS scratch_empty (x INTEGER)",
    );
    await env.DB.batch(values.map((v) => env.DB.prepare("INSERT INTO scratch_small (x) VALUES (?)").bind(Number(v))));
    // 1 500 000 rows of ±10^13 (less odd remainders), two positive for one negative: the positive ones
    // alone sum past 2^63.
    await env.DB.prepare(
      `INSERT INTO scratch_big (x) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500000)
       SELECT CASE WHEN i % 3 = 0 THEN -${MAX_AMOUNT} + (i % 11) ELSE ${MAX_AMOUNT} - (i % 13) END FROM n`,
    ).run();
  }, 120_000);

  it("is exact for every sign and remainder, and for sums of either sign alone", async () => {
    expect(await total("scratch_small")).toBe(values.reduce((a, b) => a + b, 0n));
    expect(await total("scratch_small", sql`CASE WHEN x > 0 THEN x END`)).toBe(values.filter((v) => v > 0n).reduce((a, b) => a + b, 0n));
    expect(await total("scratch_small", sql`CASE WHEN x < 0 THEN -x END`)).toBe(-values.filter((v) => v < 0n).reduce((a, b) => a + b, 0n));
  });

  it("sums past 2^63 where SQLite's sum() raises integer overflow", async () => {
    await expect(env.DB.prepare("SELECT sum(CASE WHEN x > 0 THEN x END) AS s FROM scratch_big").first()).rejects.toThrow(/overflow/);
    let pos = 0n;
    let neg = 0n;
    for (let i = 1; i <= 1_500_000; i++) {
      if (i % 3 === 0) neg += -M + BigInt(i % 11);
      else pos += M - BigInt(i % 13);
    }
    expect(pos > 2n ** 63n).toBe(true);
    expect(await total("scratch_big", sql`CASE WHEN x > 0 THEN x END`)).toBe(pos);
    expect(await total("scratch_big", sql`CASE WHEN x < 0 THEN -x END`)).toBe(-neg);
    expect(await total("scratch_big")).toBe(pos + neg);
  });

  it("sums no row, or only NULLs, to 0", async () => {
    expect(await total("scratch_empty")).toBe(0n);
    expect(await total("scratch_small", sql`CASE WHEN x > ${MAX_AMOUNT} THEN x END`)).toBe(0n);
  });
});

describe("readExactSum", () => {
  it("combines the two parts and refuses anything else", () => {
    expect(readExactSum("0 0")).toBe(0n);
    expect(readExactSum("-3 -5")).toBe(-3n * 16_777_216n - 5n);
    expect(readExactSum("549755813888 16777215")).toBe(549_755_813_888n * 16_777_216n + 16_777_215n);
    expect(readExactSum(null)).toBe(0n);
    for (const bad of ["1.5 0", "12", "", 42, "1 2 3"]) expect(() => readExactSum(bad)).toThrow(TypeError);
  });
});
