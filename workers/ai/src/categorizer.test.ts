// The Embedder interface with a fake (Workers AI has no local simulation), and the tfjs fallback.
import { describe, expect, it } from "vitest";
import { PROTOTYPES, categorizeAll, embeddingCategorize, getCategorizer, type Embedder } from "./categorizer";

/** A deterministic bag-of-words "embedding": words hashed into 64 dimensions. */
function fakeEmbedder(name = "fake-bow"): Embedder & { calls: number } {
  const e = {
    name,
    calls: 0,
    async embed(texts: string[]) {
      e.calls++;
      return texts.map((t) => {
        const v = new Array(64).fill(0);
        for (const w of t
          .toLowerCase()
          .split(/[^a-z]+/)
          .filter(Boolean)) {
          let h = 7;
          for (const ch of w) h = (h * 31 + ch.charCodeAt(0)) % 64;
          v[h] += 1;
        }
        return v;
      });
    },
  };
  return e;
}

const throwing: Embedder = {
  name: "broken",
  async embed() {
    throw new Error("Workers AI unavailable");
  },
};

describe("Embedder (Workers AI behind an interface)", () => {
  it("answers with source workers_ai through nearest-centroid lookup", async () => {
    const fake = fakeEmbedder();
    const out = await embeddingCategorize(fake, [
      { description: "pharmacy drugstore", amount: -1200 },
      { description: "hotel booking accommodation", amount: -25000 },
    ]);
    expect(out.map((o) => o.source)).toEqual(["workers_ai", "workers_ai"]);
    expect(out.map((o) => o.category)).toEqual(["health", "travel"]);
    for (const o of out) expect(o.confidence).toBeGreaterThan(0.5);
    expect(Object.keys(PROTOTYPES)).toHaveLength(18); // every code but `other` has a centroid
  });

  it("is used by categorizeAll after the rules, and the centroids are embedded once per isolate", async () => {
    const fake = fakeEmbedder("fake-bow-2");
    const a = await categorizeAll(
      [
        { description: "VIR SEPA SALAIRE ACME", amount: 250000 },
        { description: "gym fitness membership", amount: -2999 },
      ],
      { embedder: fake },
    );
    expect(a[0]).toEqual({ category: "income", confidence: 1, source: "rule" });
    expect(a[1]).toMatchObject({ category: "subscriptions", source: "workers_ai" });
    await categorizeAll([{ description: "cinema movie tickets", amount: -1100 }], { embedder: fake });
    expect(fake.calls).toBe(3); // centroids once, then one call per batch
  });

  it("falls back to the tfjs model when the embedder throws", async () => {
    const failures: unknown[] = [];
    const out = await categorizeAll([{ description: "CB CARREFOUR MARKET 12/03 PARIS", amount: -4250 }], {
      embedder: throwing,
      onFallback: (e) => failures.push(e),
    });
    expect(failures).toHaveLength(1);
    expect(out[0]!.source).toBe("model");
    expect(out[0]!.category).toBe("groceries");
  });

  it("uses the tfjs model when no embedder is bound, loaded once per isolate", async () => {
    const out = await categorizeAll([{ description: "NETFLIX.COM", amount: -1399 }]);
    expect(out[0]).toMatchObject({ source: "model", category: "subscriptions" });
    expect(getCategorizer()).toBe(getCategorizer());
  });
});
