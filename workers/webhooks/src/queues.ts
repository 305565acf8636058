import { eventsOf, log, observeWebhookDelivery, type EventRecord } from "#core";
import { attempt, deliver, endpointsOf, fanOut, type Claimed, type Endpoints } from "./delivery";
import { derivedEvents, isCheckedOutflow } from "./derived";
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
  if (queue === EVENTS_QUEUE || queue.startsWith(`${EVENTS_QUEUE}-`)) return onEvents(env, batch, ctx);
  await Promise.all(
    batch.messages.map(async (m) => {
      try {
        const claimed = await deliver(env, m.body as DeliveryMessage);
        // Claimed and leased: the attempt runs in an invocation of its own (the worker's own
        // binding), so this batch, and the queue behind it, never waits for the receiver.
        if (claimed) {
          if (env.SELF) await env.SELF.attempt(claimed);
          else ctx.waitUntil(runAttempt(env, claimed));
        }
        m.ack();
      } catch (e) {
        retry(batch, m, e);
        // Its last retry (max_retries = 5 in wrangler.toml): next stop, the dead-letter queue.
        if (m.attempts > DELIVERY_MAX_RETRIES) observeWebhookDelivery("dead_lettered");
      }
    }),
  );
}

function retry(batch: MessageBatch<unknown>, m: Message<unknown>, e: unknown) {
  log("error", { worker: "webhooks", event: "queue_message_failed", queue: batch.queue, error: String(e) });
  m.retry({ delaySeconds: RETRY_SECONDS });
}

/**
 * A batch of messages, each holding many events: one read of the batch's users' endpoints, then each
 * event's fan-out. Outflows can take a budget over or look unusual: their checks read D1 and ask the ai
 * worker, for the whole batch in one invocation of its own, so the next batch's deliveries never wait
 * for them. A message is acknowledged once every event in it is fanned out (and its outflows' checks
 * handed off); otherwise it comes back whole, and what was already done is done again harmlessly
 * (deliveries are unique per endpoint and event, derived events' ids are their facts').
 */
async function onEvents(env: Env, batch: MessageBatch<unknown>, ctx: Pick<ExecutionContext, "waitUntil">) {
  const carried: { m: Message<unknown>; events: EventRecord[] }[] = [];
  for (const m of batch.messages) {
    const events = eventsOf(m.body);
    // Nothing here can read it: it goes round to the dead-letter queue, where it can be looked at.
    if (events.length) carried.push({ m, events });
    else retry(batch, m, new Error("a message on the events queue holds no event"));
  }
  let endpoints: Endpoints;
  try {
    endpoints = await endpointsOf(
      env,
      carried.flatMap(({ events }) => events.map((e) => e.user_id)),
    );
  } catch (e) {
    for (const { m } of carried) retry(batch, m, e);
    return;
  }
  const done: typeof carried = [];
  await Promise.all(
    carried.map(async (c) => {
      try {
        await Promise.all(c.events.map((e) => fanOut(env, e, endpoints)));
        done.push(c);
      } catch (e) {
        retry(batch, c.m, e);
      }
    }),
  );
  const checked = done.filter(({ events }) => events.some(isCheckedOutflow));
  try {
    if (checked.length) {
      const outflows = checked.flatMap(({ events }) => events.filter(isCheckedOutflow));
      if (env.SELF) await env.SELF.derive(outflows);
      else ctx.waitUntil(runDerived(env, outflows));
    }
    for (const { m } of done) m.ack();
  } catch (e) {
    // The checks could not be handed off: their messages come back (fan-out is idempotent), the rest are done.
    for (const c of done) checked.includes(c) ? retry(batch, c.m, e) : c.m.ack();
  }
}

/** The events derived from these, recorded then delivered like the others; errors logged. */
export const runDerived = async (env: Env, events: EventRecord[]) => {
  try {
    const derived = await derivedEvents(env, events);
    if (!derived.length) return;
    const endpoints = await endpointsOf(
      env,
      derived.map((d) => d.user_id),
    );
    for (const d of derived) await fanOut(env, d, endpoints);
  } catch (err) {
    log("error", { worker: "webhooks", event: "derived_events_failed", event_ids: events.map((e) => e.id), error: String(err) });
  }
};

/** One attempt, its errors logged (the lease message retries it). */
export const runAttempt = (env: Env, claimed: Claimed) =>
  attempt(env, claimed).catch((e) => log("error", { worker: "webhooks", event: "delivery_attempt_failed", error: String(e) }));
