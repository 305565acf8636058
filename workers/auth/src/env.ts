import type { AppEnv, CoreEnv } from "#core";
import type { LoginThrottle } from "./throttle";

export type Env = CoreEnv & {
  DB: D1Database;
  THROTTLE: DurableObjectNamespace<LoginThrottle>;
  /** UserState objects (class in workers/users): a new user's state, and a reload at each sign-in. */
  USER_STATE: DurableObjectNamespace;
  /** JSON array of private JWKs (EdDSA or ES256) with `kid`; the first signs, the rest are still published. */
  JWT_SIGNING_KEYS?: string;
  /** The gateway's public origin, e.g. http://127.0.0.1:8787. */
  ISSUER: string;
  AUDIENCE: string;
  /** Login throttle: failures allowed per (email, client address) and per client address within the window. */
  LOGIN_MAX_FAILURES_PER_EMAIL_IP?: string;
  LOGIN_MAX_FAILURES_PER_IP?: string;
  LOGIN_WINDOW_SECONDS?: string;
  /** Registration throttle: calls allowed per client address within the window (default 10 per hour). */
  REGISTER_MAX_PER_IP?: string;
  REGISTER_WINDOW_SECONDS?: string;
};

export type AuthApp = AppEnv<Env>;
