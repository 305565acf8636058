import type { AppEnv, CoreEnv } from "../../core/src";

export type Env = CoreEnv & { DB: D1Database };
export type UsersApp = AppEnv<Env>;
