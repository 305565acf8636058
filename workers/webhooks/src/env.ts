import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AiRpc, AppEnv, CoreEnv, RpcBinding } from "#core";
import type { WebhooksWorkerEnv } from "../worker-configuration";

/** A delivery message: the delivery to attempt, and how many attempts it had when sent (an older message is stale). */
export interface DeliveryMessage {
  delivery_id: string;
  attempts: number;
}

/** The bindings and vars of wrangler.toml (`npm run types`), with the queue and the RPC bindings typed by what flows through them. */
export type Env = CoreEnv &
  Omit<WebhooksWorkerEnv, "DELIVERIES" | "AI_SERVICE" | "SELF"> & {
    /** The delivery queue (`ef-webhook-deliveries`): one message per attempt, delayed for retries. */
    DELIVERIES: Queue<DeliveryMessage>;
    /** The ai worker's RPC methods: scoreTransactions for anomaly.detected. */
    AI_SERVICE?: RpcBinding<AiRpc>;
    /** This worker itself: each delivery attempt and each transaction's derived checks run in an invocation of their own. */
    SELF?: RpcBinding<{
      attempt(claimed: import("./delivery").Claimed): Promise<void>;
      derive(events: import("#core").EventRecord[]): Promise<void>;
    }>;
    /** "true" on local stacks only: http(s)://127.0.0.1:<port> and localhost:<port> may receive webhooks. */
    WEBHOOKS_ALLOW_LOOPBACK?: string;
  };

export type WebhooksApp = OpenAPIHono<AppEnv<Env>>;

export const allowLoopback = (env: Env) => env.WEBHOOKS_ALLOW_LOOPBACK === "true";
