/**
 * Events: facts about a user's money, recorded in the same durable step as the fact itself (an
 * object's outbox), then written to D1 (`events`) and published on the `ef-events` queue for the
 * webhooks worker. Every step after the outbox may run twice, so an event's id is derived from the
 * fact it describes: the D1 insert is idempotent and receivers dedupe by `webhook-id` (the event id).
 */
import { createHash } from "node:crypto";

export const EVENT_TYPES = [
  "payment.completed",
  "payment.failed",
  "transaction.created",
  "scheduled_payment.executed",
  "scheduled_payment.failed",
  "budget.exceeded",
  "anomaly.detected",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An event as the API returns it and as a webhook carries it. */
export interface PlatformEvent {
  id: string;
  type: EventType;
  created_at: string;
  data: { object: unknown };
}

/** An event with the user it concerns, as recorded and as the events queue carries it. */
export interface EventRecord extends PlatformEvent {
  user_id: string;
}

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * `evt_` + the fact's time (10 chars, as newId) + 16 chars of SHA-256 over (type, user, fact's own id):
 * the same fact for the same user always gets the same id, and ids still sort by time.
 */
export function eventId(type: EventType, userId: string, factId: string, at: string): string {
  let time = "";
  for (let t = Date.parse(at), i = 0; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  const digest = createHash("sha256").update(`${type}\n${userId}\n${factId}`).digest();
  let rest = "";
  for (let i = 0; i < 16; i++) rest += ALPHABET[digest[i] % 32];
  return `evt_${time}${rest}`;
}

/** The event for one user about one fact (`factId`: the payment, entry, run… it describes). */
export function eventRecord(type: EventType, userId: string, factId: string, object: unknown, at: string): EventRecord {
  return { id: eventId(type, userId, factId, at), type, user_id: userId, created_at: at, data: { object } };
}

/** The D1 statement that stores an event; running it twice stores it once. */
export function eventInsert(e: EventRecord): { sql: string; params: unknown[] } {
  return {
    sql: "INSERT INTO events (id, user_id, type, data, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    params: [e.id, e.user_id, e.type, JSON.stringify(e.data), e.created_at],
  };
}

/** The event as the API shows it (the user is implied by who asks). */
export const publicEvent = ({ user_id: _user, ...event }: EventRecord): PlatformEvent => event;

/**
 * A message on the events queue: events in the order they were recorded, as many as fit. Queues bill
 * per message (per 64 KB of it), and a payment alone records three events, so a drain's travel together.
 */
export interface EventBatch {
  events: EventRecord[];
}

/** The producer binding every worker that records facts has (`[[queues.producers]] binding = "EVENTS"`). */
export type EventsQueue = Queue<EventBatch>;

/** A queue message holds at most 128 KB; sendBatch at most 100 messages and 256 KB per call. */
const MESSAGE_BYTES = 100_000;
const SEND_MESSAGES = 100;
const SEND_BYTES = 200_000;
const utf8 = new TextEncoder();

/** Sends the events, in order, in as few messages and sendBatch calls as the queue's limits allow. */
export async function publishEvents(queue: EventsQueue, events: EventRecord[]): Promise<void> {
  const messages: { body: EventBatch; bytes: number }[] = [];
  for (const e of events) {
    const bytes = utf8.encode(JSON.stringify(e)).byteLength + 1;
    const last = messages.at(-1);
    if (last && last.bytes + bytes <= MESSAGE_BYTES) {
      last.body.events.push(e);
      last.bytes += bytes;
    } else messages.push({ body: { events: [e] }, bytes: bytes + 16 });
  }
  let call: { body: EventBatch }[] = [];
  let callBytes = 0;
  for (const m of messages) {
    if (call.length && (call.length === SEND_MESSAGES || callBytes + m.bytes > SEND_BYTES)) {
      await queue.sendBatch(call);
      call = [];
      callBytes = 0;
    }
    call.push({ body: m.body });
    callBytes += m.bytes;
  }
  if (call.length) await queue.sendBatch(call);
}

/** The events a message carries: a batch, or a lone event (a message sent before events were batched). */
export function eventsOf(body: unknown): EventRecord[] {
  if (!body || typeof body !== "object") return [];
  const events = (body as Partial<EventBatch>).events;
  if (Array.isArray(events)) return events;
  return typeof (body as Partial<EventRecord>).id === "string" && typeof (body as Partial<EventRecord>).type === "string"
    ? [body as EventRecord]
    : [];
}
