// The development set's mistakes (tuning only; never run on a test set): `tsx ai/dev-errors.ts [artefact dir]`.
import { readFileSync } from "node:fs";
import { categorize, loadCategorizer, type CategorizerArtifact } from "../workers/ai/src/domain/categorize";
import { DEVSET } from "./training/devset";

const dir = process.argv[2] ?? "ai/models/categorizer";
const art = JSON.parse(readFileSync(`${dir}/model.json`, "utf8")) as CategorizerArtifact;
const c = await loadCategorizer(art);
const got = categorize(
  c,
  DEVSET.map(([description, amount]) => ({ description, amount })),
);
let ok = 0;
got.forEach((g, i) => {
  const [d, a, want] = DEVSET[i]!;
  if (g.category === want) ok++;
  else console.log(`${want.padEnd(13)} -> ${g.category.padEnd(13)} ${g.confidence.toFixed(2)} ${String(a).padStart(8)} ${d}`);
});
console.log(`dev accuracy ${((100 * ok) / DEVSET.length).toFixed(1)} % (${ok}/${DEVSET.length})`);
