import { createDomainApp, entrypoint, type CoreEnv } from "../../core/src";

export type Env = CoreEnv & { DB: D1Database };

export const app = createDomainApp<Env>("auth");

export class AuthService extends entrypoint<Env>(app) {}
export default AuthService;
export { LoginThrottle } from "./throttle";
