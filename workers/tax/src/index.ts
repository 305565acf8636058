import { createDomainApp, entrypoint, type CoreEnv } from "../../core/src";

export type Env = CoreEnv & { DB: D1Database };

export const app = createDomainApp<Env>("tax");

export class TaxService extends entrypoint<Env>(app) {}
export default TaxService;
