import { createDomainApp, entrypoint } from "../../core/src";
import type { Env } from "./env";
import { registerAnomalies } from "./routes/anomalies";
import { registerCategorize } from "./routes/categorize";
import { registerForecast } from "./routes/forecast";
import { registerRecommendations } from "./routes/recommendations";
import { registerTaxOptimization } from "./routes/tax-optimization";

export type { Env } from "./env";

export const app = createDomainApp<Env>("ai");

registerCategorize(app);
registerForecast(app);
registerAnomalies(app);
registerRecommendations(app);
registerTaxOptimization(app);

export class AiService extends entrypoint<Env>(app) {}
export default AiService;
