import type { AppEnv, CoreEnv } from "#core";
import type { AuthWorkerEnv } from "../worker-configuration";

/** The bindings and vars of wrangler.toml (`npm run types`), plus the secret and the optional vars it does not set. */
export type Env = CoreEnv &
  AuthWorkerEnv & {
    /** JSON array of private JWKs (EdDSA or ES256) with `kid`; the first signs, the rest are still published. */
    JWT_SIGNING_KEYS?: string;
    /** Login throttle: failures allowed per (email, client address) and per client address within the window. */
    LOGIN_MAX_FAILURES_PER_EMAIL_IP?: string;
    LOGIN_MAX_FAILURES_PER_IP?: string;
    LOGIN_WINDOW_SECONDS?: string;
    /** Registration throttle: calls allowed per client address within the window (default 10 per hour). */
    REGISTER_MAX_PER_IP?: string;
    REGISTER_WINDOW_SECONDS?: string;
  };

export type AuthApp = AppEnv<Env>;
