import type { AppEnv, CoreEnv } from "#core";
import type { UsersWorkerEnv } from "../worker-configuration";

/** The bindings and vars of wrangler.toml (`npm run types`). */
export type Env = CoreEnv & UsersWorkerEnv;
export type UsersApp = AppEnv<Env>;
