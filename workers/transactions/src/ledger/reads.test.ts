import { describe, expect, it } from "vitest";
import { entryPageQuery } from "./reads";

describe("entryPageQuery", () => {
  it("builds the filters, the keyset condition (below the cursor entry's version) and a bounded limit", () => {
    expect(entryPageQuery({ limit: 21 })).toEqual({ sql: "SELECT * FROM entries ORDER BY version DESC LIMIT 21", args: [] });
    const q = entryPageQuery({
      limit: 5000,
      from: "2026-01-01",
      to: "2026-01-31",
      category: "dining",
      q: "50%_off\\",
      after: { t: "2026-01-02T00:00:00.000Z", id: "txn_b" },
    });
    expect(q.sql).toBe(
      "SELECT * FROM entries WHERE occurred_date >= ? AND occurred_date <= ? AND category = ? AND description LIKE ? ESCAPE '\\' AND version < (SELECT version FROM entries WHERE id = ?) ORDER BY version DESC LIMIT 101",
    );
    expect(q.args).toEqual(["2026-01-01", "2026-01-31", "dining", "%50\\%\\_off\\\\%", "txn_b"]);
  });
});
