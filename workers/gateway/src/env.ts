import type { CoreEnv } from "#core";
import type { GatewayWorkerEnv } from "../worker-configuration";

/** The bindings and vars of the root wrangler.toml (`npm run types`), plus the scrape secret. */
export type GatewayEnv = CoreEnv &
  GatewayWorkerEnv & {
    /** Bearer secret of the Prometheus scraper for /metrics (a secret; locally in the root .dev.vars). */
    METRICS_TOKEN?: string;
  };
