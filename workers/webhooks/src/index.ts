import { domainApp, entrypoint, type EventRecord } from "#core";
import type { Env } from "./env";
import type { Claimed } from "./delivery";
import { handleQueue, runAttempt, runDerived } from "./queues";
import { registerEndpoints } from "./routes/endpoints";
import { registerEvents } from "./routes/events";

export type { Env };

export const app = domainApp<Env>("webhooks", [registerEndpoints, registerEvents]);

/** The webhooks worker: its routes (through the gateway) and the consumer of the events and delivery queues. */
export class WebhooksService extends entrypoint<Env>(app) {
  override async queue(batch: MessageBatch<unknown>) {
    await handleQueue(batch, this.env, this.ctx);
  }

  /** Starts one claimed delivery attempt and answers at once (the consumer's call; never the gateway's). */
  async attempt(claimed: Claimed): Promise<void> {
    this.ctx.waitUntil(runAttempt(this.env, claimed));
  }

  /** Starts the budget and anomaly checks of a batch's outflows and answers at once (the consumer's call). */
  async derive(events: EventRecord[]): Promise<void> {
    this.ctx.waitUntil(runDerived(this.env, events));
  }
}
export default WebhooksService;
export { handleQueue };
