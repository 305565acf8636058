import { describe, expect, it } from "vitest";
import { eventRecord, eventsOf, publishEvents, type EventBatch, type EventRecord, type EventsQueue } from "./events";

const event = (i: number, description = "coffee"): EventRecord =>
  eventRecord("transaction.created", "usr_1", `txn_${i}`, { id: `txn_${i}`, amount: -i, description }, "2026-12-01T10:00:00.000Z");

/** A queue that records each sendBatch call's message bodies. */
function recordingQueue() {
  const calls: EventBatch[][] = [];
  const queue = { sendBatch: async (messages: { body: EventBatch }[]) => void calls.push(messages.map((m) => m.body)) };
  return { calls, queue: queue as unknown as EventsQueue };
}

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).byteLength;

describe("publishEvents", () => {
  it("sends a drain's events as one message, in order", async () => {
    const { calls, queue } = recordingQueue();
    const events = [1, 2, 3].map((i) => event(i));
    await publishEvents(queue, events);
    expect(calls).toEqual([[{ events }]]);
  });

  it("splits by the queue's byte limits (counted in UTF-8), keeping the order and losing nothing", async () => {
    const { calls, queue } = recordingQueue();
    // ~3 KB of text per event, most of it three-byte characters: 300 events are ~2.7 MB.
    const events = Array.from({ length: 300 }, (_, i) => event(i, "€".repeat(900)));
    await publishEvents(queue, events);
    const messages = calls.flat();
    expect(messages.flatMap((m) => m.events)).toEqual(events);
    for (const m of messages) expect(bytes(m)).toBeLessThanOrEqual(128 * 1024);
    for (const call of calls) {
      expect(call.length).toBeLessThanOrEqual(100);
      expect(call.reduce((t, m) => t + bytes(m), 0)).toBeLessThanOrEqual(256 * 1024);
    }
    expect(messages.length).toBeGreaterThan(1);
  });

  it("sends nothing for no events", async () => {
    const { calls, queue } = recordingQueue();
    await publishEvents(queue, []);
    expect(calls).toEqual([]);
  });
});

describe("eventsOf", () => {
  it("reads a batch, a lone event, and nothing out of anything else", () => {
    const e = event(1);
    expect(eventsOf({ events: [e] })).toEqual([e]);
    expect(eventsOf(e)).toEqual([e]);
    for (const junk of [null, undefined, "x", 42, [], {}, { events: "x" }, { id: 1, type: "x" }]) expect(eventsOf(junk)).toEqual([]);
  });
});
