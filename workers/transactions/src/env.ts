import type { AiRpc, CoreEnv, EventsQueue, RpcBinding } from "#core";
import type { TransactionsWorkerEnv } from "../worker-configuration";

/**
 * The bindings and vars of wrangler.toml (`npm run types`), with the RPC bindings and the queue typed
 * by what flows through them (the generated file only knows a Fetcher and an untyped Queue).
 */
export type Env = CoreEnv &
  Omit<TransactionsWorkerEnv, "AI_SERVICE" | "EVENTS"> & {
    /** The ai worker, asked through its RPC methods (AiRpc). */
    AI_SERVICE?: RpcBinding<AiRpc>;
    /** The events queue (`ef-events`). */
    EVENTS: EventsQueue;
  };
