import { domainApp, entrypoint } from "#core";
import type { Env } from "./env";
import { handleQueue } from "./queues";
import { registerEndpoints } from "./routes/endpoints";
import { registerEvents } from "./routes/events";

export type { Env };

export const app = domainApp<Env>("webhooks", [registerEndpoints, registerEvents]);

/** The webhooks worker: its routes (through the gateway) and the consumer of the events and delivery queues. */
export class WebhooksService extends entrypoint<Env>(app) {
  override async queue(batch: MessageBatch<unknown>) {
    await handleQueue(batch, this.env);
  }
}
export default WebhooksService;
export { handleQueue };
