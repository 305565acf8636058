import { describe, expect, it } from "vitest";
import { scrubbed } from "./db-errors";

describe("scrubbed", () => {
  it("keeps the D1 cause and drops the bound parameters from the message", async () => {
    const err = Object.assign(new Error("Failed query: insert into users values (?, ?)\nparams: usr_1,scrypt$16384$8$1$salt$hash"), {
      cause: new Error("D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT"),
    });
    const caught = await scrubbed(Promise.reject(err)).catch((e: Error) => e);
    expect(caught.message).toBe("D1 query failed: D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT");
    expect(String(caught)).not.toContain("scrypt$");
    expect(await scrubbed(Promise.resolve(42))).toBe(42);
  });
});
