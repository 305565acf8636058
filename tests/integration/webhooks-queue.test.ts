// The events queue's consumer on a batch: every event is fanned out, the batch's outflows are handed to
// one derived-checks call, and a message is acknowledged only once both are done — an outflow whose
// checks could not be handed off comes back (fan-out is idempotent), the other events do not.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EventRecord } from "#core";
import type { Env } from "../../workers/webhooks/src/env";
import { handleQueue } from "../../workers/webhooks/src/index";

function message(body: EventRecord) {
  const seen = { acked: false, retried: false };
  return {
    seen,
    message: {
      id: body.id,
      timestamp: new Date(),
      attempts: 1,
      body,
      ack: () => void (seen.acked = true),
      retry: () => void (seen.retried = true),
    } as unknown as Message<EventRecord>,
  };
}

const event = (type: string, object: Record<string, unknown>): EventRecord =>
  ({
    id: `evt_${crypto.randomUUID()}`,
    type,
    user_id: `usr_${crypto.randomUUID()}`,
    created_at: new Date().toISOString(),
    data: { object },
  }) as EventRecord;

async function consume(derive: (events: EventRecord[]) => Promise<void>) {
  const outflow = message(event("transaction.created", { id: "txn_1", amount: -500 }));
  const inflow = message(event("transaction.created", { id: "txn_2", amount: 500 }));
  const paid = message(event("payment.completed", { id: "pay_1", amount: 500 }));
  const batch = { queue: "ef-events", messages: [outflow.message, inflow.message, paid.message] } as unknown as MessageBatch<unknown>;
  await handleQueue(batch, { DB: env.DB, SELF: { derive } } as unknown as Env, { waitUntil: () => {} });
  return { outflow: outflow.seen, inflow: inflow.seen, paid: paid.seen };
}

describe("events consumer", () => {
  it("hands the batch's outflows to one derived-checks call, then acknowledges every event", async () => {
    const calls: string[][] = [];
    const seen = await consume(async (events) => void calls.push(events.map((e) => (e.data.object as { id: string }).id)));
    expect(calls).toEqual([["txn_1"]]);
    expect(seen).toEqual({
      outflow: { acked: true, retried: false },
      inflow: { acked: true, retried: false },
      paid: { acked: true, retried: false },
    });
  });

  it("retries an outflow whose checks could not be handed off, and acknowledges the rest", async () => {
    const seen = await consume(async () => {
      throw new Error("the worker's own binding is unreachable");
    });
    expect(seen).toEqual({
      outflow: { acked: false, retried: true },
      inflow: { acked: true, retried: false },
      paid: { acked: true, retried: false },
    });
  });
});
