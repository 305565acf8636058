import { domainApp, entrypoint } from "#core";
import type { Env } from "./env";
import { mountAuthRoutes } from "./routes/auth";
import { mountClientRoutes } from "./routes/clients";
import { mountOAuthRoutes } from "./routes/oauth";
import { mountWellKnownRoutes } from "./routes/well-known";

export type { Env } from "./env";

export const app = domainApp<Env>("auth", [mountAuthRoutes, mountClientRoutes, mountOAuthRoutes, mountWellKnownRoutes]);

export class AuthService extends entrypoint<Env>(app) {}
export default AuthService;
export { LoginThrottle } from "./throttle";
