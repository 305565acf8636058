import { describe, expect, it } from "vitest";
import { ApiError } from "./errors";
import { sessionStart } from "./d1-session";

describe("D1 session start", () => {
  it("lets cross-account GETs start from the client's bookmark, else anywhere", () => {
    const b = "00000000-00000006-00000000-00000000000000000000000000000000";
    expect(sessionStart("GET", "/v1/payments", b)).toBe(b);
    expect(sessionStart("GET", "/v1/payments/pay_1", undefined)).toBe("first-unconstrained");
    for (const p of ["/v1/reports/summary", "/v1/budgets", "/v1/accounts", "/v1/tax/report", "/v1/ai/forecast", "/v1/users/me/export"])
      expect(sessionStart("GET", p, undefined), p).toBe("first-unconstrained");
  });

  it("starts every other request at the primary", () => {
    expect(sessionStart("POST", "/v1/payments", undefined)).toBe("first-primary");
    expect(sessionStart("GET", "/v1/accounts/acc_1", undefined)).toBe("first-primary");
    expect(sessionStart("GET", "/v1/users/me", "first-unconstrained")).toBe("first-primary");
    expect(sessionStart("POST", "/v1/accounts", "00000000-00000006")).toBe("first-primary");
  });

  it("refuses a malformed bookmark with 400", () => {
    for (const bad of ["not a bookmark", "x".repeat(300), "00-zz", "first-anything"]) {
      try {
        sessionStart("GET", "/v1/payments", bad);
        expect.unreachable(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(ApiError);
        expect((e as ApiError).status).toBe(400);
      }
    }
    expect(sessionStart("GET", "/v1/payments", "first-primary")).toBe("first-primary");
  });
});
