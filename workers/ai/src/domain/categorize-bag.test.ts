// The categoriser's first layer is an embedding bag over the hashed features: the same answer as the
// dense product of the full 16 384-wide vector, without building it.
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import artifact from "../../../../ai/models/categorizer/artifact";
import { featureSize, featurize, loadCategorizer, predictProba, sparseFeatures, textFeatures, type Categorizer } from "./categorize";
import { fnv1a } from "./text";

const lines = [
  { description: "CB BOULANGERIE DES LILAS 12/03", amount: -420, counterparty: undefined as string | undefined },
  { description: "PRLV SEPA QOBUZ PXKQWZ", amount: -1199 },
  { description: "VIR SEPA RECU SALAIRE TECHNIQUES ARVERNES", amount: 245_000 },
  { description: "AAAA AAAA AAAA", amount: 0 },
  { description: "", amount: -1 },
  // the same token list as the first line with another amount: the batch reuses its text part
  { description: "CB BOULANGERIE DES LILAS 19/03", amount: 123_456 },
  { description: "VIREMENT A MARIE DUPONT", amount: -5_000, counterparty: "Marie Dupont" },
];

describe("embedding-bag categoriser", () => {
  let c: Categorizer;
  beforeAll(async () => {
    c = await loadCategorizer(artifact);
  });

  it("hashes exactly the features textFeatures lists", () => {
    for (const l of lines) {
      const buckets = new Set(textFeatures(l.description, undefined, c.featurizer).map((f) => fnv1a(f) % c.featurizer.buckets));
      const { idx } = sparseFeatures(l.description, l.amount, undefined, c.featurizer);
      expect(idx.filter((i) => i < c.featurizer.buckets)).toEqual([...buckets].sort((a, b) => a - b));
    }
  });

  it("gives the dense network's probabilities", () => {
    const dim = featureSize(c.featurizer);
    const dense = tf.tidy(() => {
      const x = tf.tensor2d(
        lines.flatMap((l) => Array.from(featurize(l.description, l.amount, l.counterparty, c.featurizer))),
        [lines.length, dim],
      );
      const hidden = tf.relu(tf.add(tf.matMul(x, c.w1), c.b1));
      return tf.softmax(tf.add(tf.matMul(hidden, c.w2), c.b2)).arraySync() as number[][];
    });
    const bag = predictProba(c, lines);
    // plain typed arrays, the same weights: the same probabilities to 1e-6
    bag.forEach((p, i) => p.forEach((v, k) => expect(Math.abs(v - dense[i]![k]!)).toBeLessThan(1e-6)));
    expect(predictProba(c, [])).toEqual([]);
  });
});
