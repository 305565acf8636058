import {
  MAX_CATEGORIZE_LINES,
  MAX_SCORED_TRANSACTIONS,
  domainApp,
  entrypoint,
  type AiRpc,
  type CategorizeLine,
  type ScoreTransactionInput,
} from "#core";
import type { Env } from "./env";
import { registerAnomalies, scoreTransactions } from "./routes/anomalies";
import { categorizeLines, registerCategorize } from "./routes/categorize";
import { registerForecast } from "./routes/forecast";
import { registerRecommendations } from "./routes/recommendations";
import { registerTaxOptimization } from "./routes/tax-optimization";

export type { Env } from "./env";

export const app = domainApp<Env>("ai", [
  registerCategorize,
  registerForecast,
  registerAnomalies,
  registerRecommendations,
  registerTaxOptimization,
]);

/** The ai worker: its HTTP routes (through the gateway) and its RPC methods (other workers). */
export class AiService extends entrypoint<Env>(app) implements AiRpc {
  async categorize(lines: CategorizeLine[]) {
    if (lines.length > MAX_CATEGORIZE_LINES) throw new RangeError(`at most ${MAX_CATEGORIZE_LINES} lines per call`);
    return categorizeLines(this.env, lines);
  }

  async scoreTransactions(inputs: ScoreTransactionInput[]) {
    if (inputs.length > MAX_SCORED_TRANSACTIONS) throw new RangeError(`at most ${MAX_SCORED_TRANSACTIONS} transactions per call`);
    return scoreTransactions(this.env.DB, inputs);
  }
}
export default AiService;
