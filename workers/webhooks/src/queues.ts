import { log, type EventRecord } from "#core";
import { deliver, fanOut } from "./delivery";
import { derivedEvents } from "./derived";
import type { DeliveryMessage, Env } from "./env";

export const EVENTS_QUEUE = "ef-events";
export const DELIVERIES_QUEUE = "ef-webhook-deliveries";

/** After an unexpected error, a message comes back this much later (then to the dead-letter queue). */
const RETRY_SECONDS = 10;

/**
 * The two queues' consumer. Every message of a batch runs at once, so one slow endpoint never holds
 * back another's delivery; each is acknowledged on its own, and retried (then dead-lettered) only when
 * it failed unexpectedly.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const queue = batch.queue.replace(/-preview-.*$/, "");
  await Promise.all(
    batch.messages.map(async (m) => {
      try {
        if (queue === EVENTS_QUEUE || queue.startsWith(`${EVENTS_QUEUE}-`)) await onEvent(env, m.body as EventRecord);
        else await deliver(env, m.body as DeliveryMessage);
        m.ack();
      } catch (e) {
        log("error", { worker: "webhooks", event: "queue_message_failed", queue: batch.queue, error: String(e) });
        m.retry({ delaySeconds: RETRY_SECONDS });
      }
    }),
  );
}

async function onEvent(env: Env, e: EventRecord) {
  await fanOut(env, e);
  // Derived events are delivered like the others (the original's deliveries are already queued).
  for (const d of await derivedEvents(env, e)) await fanOut(env, d);
}
