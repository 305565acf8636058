import { createDomainApp, entrypoint, type CoreEnv } from "../../core/src";

export type Env = CoreEnv & { DB: D1Database };

export const app = createDomainApp<Env>("finance");

export class FinanceService extends entrypoint<Env>(app) {}
export default FinanceService;
