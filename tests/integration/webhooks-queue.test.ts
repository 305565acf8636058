// The events queue's consumer on a batch of messages, each holding events: every event is fanned out,
// the batch's outflows are handed to one derived-checks call, and a message is acknowledged only once
// both are done for all its events — a message with an outflow whose checks could not be handed off
// comes back whole (fan-out is idempotent), the other messages do not; one holding no event goes round
// to the dead-letter queue.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EventRecord } from "#core";
import type { Env } from "../../workers/webhooks/src/env";
import { handleQueue } from "../../workers/webhooks/src/index";

function message(body: unknown) {
  const seen = { acked: false, retried: false };
  return {
    seen,
    message: {
      id: crypto.randomUUID(),
      timestamp: new Date(),
      attempts: 1,
      body,
      ack: () => void (seen.acked = true),
      retry: () => void (seen.retried = true),
    } as unknown as Message<unknown>,
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
  // A drain's message (an outflow and its payment), another's (an inflow), and one nobody can read.
  const outflow = message({
    events: [event("transaction.created", { id: "txn_1", amount: -500 }), event("payment.completed", { id: "pay_1", amount: 500 })],
  });
  const inflow = message({
    events: [event("transaction.created", { id: "txn_2", amount: 500 }), event("payment.completed", { id: "pay_2", amount: 500 })],
  });
  const junk = message("not events");
  const batch = { queue: "ef-events", messages: [outflow.message, inflow.message, junk.message] } as unknown as MessageBatch<unknown>;
  await handleQueue(batch, { DB: env.DB, SELF: { derive } } as unknown as Env, { waitUntil: () => {} });
  return { outflow: outflow.seen, inflow: inflow.seen, junk: junk.seen };
}

describe("events consumer", () => {
  it("hands the batch's outflows to one derived-checks call, then acknowledges every event", async () => {
    const calls: string[][] = [];
    const seen = await consume(async (events) => void calls.push(events.map((e) => (e.data.object as { id: string }).id)));
    expect(calls).toEqual([["txn_1"]]);
    expect(seen).toEqual({
      outflow: { acked: true, retried: false },
      inflow: { acked: true, retried: false },
      junk: { acked: false, retried: true },
    });
  });

  it("retries the message of an outflow whose checks could not be handed off, and acknowledges the rest", async () => {
    const seen = await consume(async () => {
      throw new Error("the worker's own binding is unreachable");
    });
    expect(seen).toEqual({
      outflow: { acked: false, retried: true },
      inflow: { acked: true, retried: false },
      junk: { acked: false, retried: true },
    });
  });
});
