import { beforeAll, describe, expect, it } from "vitest";
import artifact from "../../../../ai/models/categorizer/artifact";
import {
  categorize,
  featureSize,
  featurize,
  loadCategorizer,
  ruleCategory,
  tokenize,
  DEFAULT_FEATURIZER,
  type Categorizer,
} from "./categorize";
import { merchantKey } from "./text";

describe("featurize", () => {
  it("is deterministic and has the configured size", () => {
    const a = featurize("CB CARREFOUR MARKET 12/03 PARIS", -4523);
    const b = featurize("CB CARREFOUR MARKET 12/03 PARIS", -4523);
    expect(a.length).toBe(featureSize(DEFAULT_FEATURIZER));
    expect(Array.from(a)).toEqual(Array.from(b));
  });
  it("ignores store numbers and dates, but not the amount sign", () => {
    const a = featurize("CB CARREFOUR 0423 12/03", -1000);
    const b = featurize("CB CARREFOUR 9981 28/11", -1000);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(featurize("CB CARREFOUR", 1000))).not.toEqual(Array.from(a));
  });
  it("normalises case, accents and punctuation", () => {
    expect(tokenize("Crêperie d'Élise CB*1234")).toEqual(["CREPERIE", "DELISE", "CB"]);
    expect(tokenize("H-E-B #582 SAN ANTONIO TX")).toEqual(["HEB", "SAN", "ANTONIO", "TX"]);
    expect(tokenize("T-MOBILE AUTO PAY")).toEqual(["T", "MOBILE", "AUTO", "PAY"]);
    expect(merchantKey("CB CARREFOUR MARKET 12/03 PARIS 15")).toBe("CARREFOUR MARKET");
    expect(merchantKey("whatever", "Netflix.com")).toBe("NETFLIX");
  });
});

describe("ruleCategory", () => {
  it("answers obvious cases with source rule", () => {
    expect(ruleCategory("VIR SEPA SALAIRE ACME SAS", 250000)).toEqual({ category: "income", confidence: 1, source: "rule" });
    expect(ruleCategory("PRLV SEPA DGFIP IMPOT", -30000)?.category).toBe("taxes");
    expect(ruleCategory("FRAIS TENUE DE COMPTE", -300)?.category).toBe("fees");
    expect(ruleCategory("CB STARBUCKS", -450)).toBeNull();
  });
  it("respects the amount sign", () => {
    expect(ruleCategory("VIR SALAIRE", -1000)).toBeNull();
    expect(ruleCategory("VIR SEPA VERS LIVRET A", -30000)?.category).toBe("savings");
    // money back from savings is a transfer between own accounts, not a deposit; its interest is not a transfer
    expect(ruleCategory("VIR INTERNE DEPUIS LIVRET A", 30000)?.category).toBe("transfers");
    expect(ruleCategory("VIR INTERETS LIVRET A 2026", 4210)).toBeNull();
  });
});

describe("categorize with the committed artefact", () => {
  let c: Categorizer;
  beforeAll(async () => {
    c = await loadCategorizer(artifact);
  }, 60_000);

  it("labels clear examples", () => {
    const cases: Array<[string, number, string]> = [
      ["CB CARREFOUR MARKET 12/03 PARIS", -4523, "groceries"],
      ["PRLV SEPA NETFLIX.COM", -1549, "subscriptions"],
      ["CARTE 03/04 SNCF CONNECT", -8900, "transport"],
      ["POS DEBIT STARBUCKS STORE 1234 SEATTLE WA", -575, "dining"],
      ["PRLV SEPA EDF REF 12345678", -8500, "utilities"],
      ["CB PHARMACIE DU CENTRE 02/05", -1250, "health"],
      ["AIRBNB * HMABCDEF", -45000, "travel"],
    ];
    const out = categorize(
      c,
      cases.map(([description, amount]) => ({ description, amount })),
    );
    expect(out.map((o) => o.category)).toEqual(cases.map((x) => x[2]));
    for (const o of out) {
      expect(o.confidence).toBeGreaterThan(0);
      expect(o.confidence).toBeLessThanOrEqual(1);
    }
  });
  it("returns one answer per item, rules first, and handles empty input", () => {
    const out = categorize(c, [
      { description: "VIR SEPA SALAIRE ACME", amount: 300000 },
      { description: "zzzz", amount: -100 },
    ]);
    expect(out).toHaveLength(2);
    expect(out[0]!.source).toBe("rule");
    expect(out[1]!.source).toBe("model");
    expect(categorize(c, [])).toEqual([]);
  });
});
