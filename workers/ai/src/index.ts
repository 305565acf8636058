import { createDomainApp, entrypoint, type CoreEnv } from "../../core/src";

export type Env = CoreEnv & { DB: D1Database };

export const app = createDomainApp<Env>("ai");

export class AiService extends entrypoint<Env>(app) {}
export default AiService;
