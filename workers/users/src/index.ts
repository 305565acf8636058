import { createDomainApp, entrypoint } from "#core";
import type { Env } from "./env";
import { mountAdminRoutes } from "./routes/admin";
import { mountBackupRoutes } from "./routes/backup";
import { mountMeRoutes } from "./routes/me";

export type { Env } from "./env";
export { UserState } from "./user-state";

export const app = createDomainApp<Env>("users");
mountMeRoutes(app);
mountAdminRoutes(app);
mountBackupRoutes(app);

export class UsersService extends entrypoint<Env>(app) {}
export default UsersService;
