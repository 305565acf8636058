import { log, observeWebhookDelivery, type EventRecord } from "#core";
import { attempt, deliver, fanOut, type Claimed } from "./delivery";
import { derivedEvents } from "./derived";
import type { DeliveryMessage, Env } from "./env";

export const EVENTS_QUEUE = "ef-events";
export const DELIVERIES_QUEUE = "ef-webhook-deliveries";

/** After an unexpected error, a message comes back this much later (then to the dead-letter queue). */
const RETRY_SECONDS = 10;
const DELIVERY_MAX_RETRIES = 5;

/**
 * The two queues' consumer. Every message of a batch runs at once and each is acknowledged on its
 * own, retried (then dead-lettered) only when it failed unexpectedly. A delivery's HTTP attempt runs
 * apart from its batch (delivery.ts leases it), so one slow endpoint never holds back the next batch.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, ctx: Pick<ExecutionContext, "waitUntil">): Promise<void> {
  const queue = batch.queue.replace(/-preview-.*$/, "");
  await Promise.all(
    batch.messages.map(async (m) => {
      try {
        if (queue === EVENTS_QUEUE || queue.startsWith(`${EVENTS_QUEUE}-`)) await onEvent(env, m.body as EventRecord, ctx);
        else {
          const claimed = await deliver(env, m.body as DeliveryMessage);
          // Claimed and leased: the attempt runs in an invocation of its own (the worker's own
          // binding), so this batch, and the queue behind it, never waits for the receiver.
          if (claimed) {
            if (env.SELF) await env.SELF.attempt(claimed);
            else ctx.waitUntil(runAttempt(env, claimed));
          }
        }
        m.ack();
      } catch (e) {
        log("error", { worker: "webhooks", event: "queue_message_failed", queue: batch.queue, error: String(e) });
        m.retry({ delaySeconds: RETRY_SECONDS });
        // Its last retry (max_retries = 5 in wrangler.toml): next stop, the dead-letter queue.
        if (queue === DELIVERIES_QUEUE && m.attempts > DELIVERY_MAX_RETRIES) observeWebhookDelivery("dead_lettered");
      }
    }),
  );
}

async function onEvent(env: Env, e: EventRecord, ctx: Pick<ExecutionContext, "waitUntil">) {
  await fanOut(env, e);
  // Only outflows can take a budget over or look unusual.
  if (e.type !== "transaction.created" || !((e.data.object as { amount?: number }).amount! < 0)) return;
  // Budgets and the anomaly score read D1 and ask the ai worker: in an invocation of their own, so the
  // next batch's deliveries never wait for them.
  if (env.SELF) await env.SELF.derive(e);
  else ctx.waitUntil(runDerived(env, e));
}

/** The events derived from one, recorded then delivered like the others; errors logged. */
export const runDerived = async (env: Env, e: EventRecord) => {
  try {
    for (const d of await derivedEvents(env, e)) await fanOut(env, d);
  } catch (err) {
    log("error", { worker: "webhooks", event: "derived_events_failed", event_id: e.id, error: String(err) });
  }
};

/** One attempt, its errors logged (the lease message retries it). */
export const runAttempt = (env: Env, claimed: Claimed) =>
  attempt(env, claimed).catch((e) => log("error", { worker: "webhooks", event: "delivery_attempt_failed", error: String(e) }));
