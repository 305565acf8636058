import { IN_IDS, idList, log, newId, observeWebhookDelivery, type EventRecord } from "#core";
import { ATTEMPT_TIMEOUT_MS, isSuccess, nextAttemptAt, shouldDisable } from "./domain/backoff";
import { signatureHeader, signingSecrets } from "./domain/signature";
import { checkWebhookUrl } from "./domain/ssrf";
import { allowLoopback, type DeliveryMessage, type Env } from "./env";

/** The longest delay a queue message may carry; a later attempt is reached in several hops. */
export const MAX_DELAY_SECONDS = 12 * 3600;

const delayTo = (at: number, now: number) => Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((at - now) / 1000)));

/**
 * Fan-out: one delivery per enabled endpoint of the event's user subscribed to its type, idempotent on
 * (endpoint, event), and one message per delivery not yet attempted. Running it twice for one event
 * (the events queue is at-least-once) queues the same deliveries again, never new ones.
 */
export async function fanOut(env: Env, e: EventRecord, of: Endpoints): Promise<number> {
  const endpoints = (of.get(e.user_id) ?? []).filter((r) => r.events.includes(e.type));
  if (!endpoints.length) return 0;
  const now = new Date().toISOString();
  const insert = env.DB.prepare(
    `INSERT INTO webhook_deliveries (id, endpoint_id, user_id, event_id, event_type, status, attempts, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
  );
  // The inserts and the read of what waits in one batch (one round trip, one transaction).
  const results = await env.DB.batch<{ id: string }>([
    ...endpoints.map((ep) => insert.bind(newId("whd"), ep.id, e.user_id, e.id, e.type, now, now, now)),
    env.DB.prepare("SELECT id FROM webhook_deliveries WHERE event_id = ? AND user_id = ? AND status = 'pending' AND attempts = 0").bind(
      e.id,
      e.user_id,
    ),
  ]);
  const waiting = results[results.length - 1].results;
  if (waiting.length) await env.DELIVERIES.sendBatch(waiting.map((d) => ({ body: { delivery_id: d.id, attempts: 0 } })));
  return waiting.length;
}

/** Each user's enabled endpoints, with the event types they take. */
export type Endpoints = Map<string, { id: string; events: string[] }[]>;

/** The enabled endpoints of these users, in one D1 read. */
export async function endpointsOf(env: Env, userIds: string[]): Promise<Endpoints> {
  const rows = await env.DB.prepare(`SELECT id, user_id, events FROM webhook_endpoints WHERE status = 'enabled' AND user_id IN ${IN_IDS}`)
    .bind(idList(userIds))
    .all<{ id: string; user_id: string; events: string }>();
  const out: Endpoints = new Map();
  for (const r of rows.results) {
    const list = out.get(r.user_id) ?? [];
    list.push({ id: r.id, events: JSON.parse(r.events) as string[] });
    out.set(r.user_id, list);
  }
  return out;
}

export interface Attempt {
  id: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  endpoint_id: string;
  url: string;
  endpoint_status: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  failing_since: string | null;
  event_id: string;
  event_type: string;
  event_created_at: string;
  data: string;
}

/** What one attempt came to: an HTTP status, or an error before any answer. */
export type AttemptResult = { status: number | null; error: string | null };

/** The request of one attempt, signed afresh (its own timestamp). Exported for the tests. */
export async function attemptRequest(
  a: Pick<Attempt, "event_id" | "event_type" | "event_created_at" | "data" | "secret" | "previous_secret" | "previous_secret_expires_at">,
  now: Date,
) {
  // The body is the stored event byte for byte: its data is kept as JSON text.
  const body = `{"id":${JSON.stringify(a.event_id)},"type":${JSON.stringify(a.event_type)},"created_at":${JSON.stringify(a.event_created_at)},"data":${a.data}}`;
  const timestamp = Math.floor(now.getTime() / 1000);
  const secrets = signingSecrets(
    { secret: a.secret, previousSecret: a.previous_secret, previousSecretExpiresAt: a.previous_secret_expires_at },
    now,
  );
  return {
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "edge-finance-webhooks/1",
      "webhook-id": a.event_id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": await signatureHeader(secrets, a.event_id, timestamp, body),
    },
  };
}

async function send(env: Env, a: Attempt, now: Date): Promise<AttemptResult> {
  const verdict = checkWebhookUrl(a.url, { allowLoopback: allowLoopback(env) });
  if (!verdict.ok) return { status: null, error: `url refused: ${verdict.reason}` };
  const { body, headers } = await attemptRequest(a, now);
  try {
    const res = await fetch(verdict.url.href, {
      method: "POST",
      body,
      headers,
      redirect: "manual", // a redirect is a failure, never followed (it could point anywhere)
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status, error: isSuccess(res.status) ? null : `HTTP ${res.status}` };
  } catch (e) {
    const name = e instanceof Error ? e.name : "";
    return {
      status: null,
      error: name === "TimeoutError" || name === "AbortError" ? "timed out after 10 s" : `request failed: ${String(e).slice(0, 200)}`,
    };
  }
}

/** An attempt holds its delivery this long (past the 10 s timeout); a lease message then checks it finished. */
export const LEASE_SECONDS = 20;

/**
 * One delivery message: claims the delivery if it is due and answers the attempt to run, which records
 * its outcome and queues the next attempt. Stale messages (the delivery moved on) are dropped; an
 * attempt due later than the queue can delay is reached in hops. The attempt runs after the message is
 * acknowledged, so a slow receiver never holds back the queue: the claim leases the delivery for
 * LEASE_SECONDS and a lease message comes back then — should the attempt have died unrecorded, it
 * finds the delivery unchanged and due, and attempts it again. The next attempt's message is sent
 * before the outcome is recorded, so a failure between the two repeats an attempt rather than losing
 * one (receivers dedupe by webhook-id).
 */
export async function deliver(env: Env, msg: DeliveryMessage): Promise<Claimed | undefined> {
  const a = await env.DB.prepare(
    `SELECT d.id, d.status, d.attempts, d.next_attempt_at, d.created_at, d.endpoint_id, w.url, w.status AS endpoint_status, w.secret,
       w.previous_secret, w.previous_secret_expires_at, w.failing_since, v.id AS event_id, v.type AS event_type,
       v.created_at AS event_created_at, v.data
     FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id JOIN events v ON v.id = d.event_id
     WHERE d.id = ?`,
  )
    .bind(msg.delivery_id)
    .first<Attempt>();
  if (!a || a.status !== "pending" || a.attempts !== msg.attempts) return undefined;
  const start = Date.now();
  const due = a.next_attempt_at ? Date.parse(a.next_attempt_at) : start;
  if (due > start + 1000) {
    await env.DELIVERIES.send(msg, { delaySeconds: delayTo(due, start) });
    return undefined;
  }
  const nowIso = () => new Date().toISOString();
  if (a.endpoint_status !== "enabled") {
    await env.DB.prepare(
      "UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint disabled', next_attempt_at = NULL, updated_at = ? WHERE id = ? AND attempts = ?",
    )
      .bind(nowIso(), a.id, a.attempts)
      .run();
    return undefined;
  }
  const lease = new Date(start + LEASE_SECONDS * 1000).toISOString();
  const claimed = await env.DB.prepare(
    "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND attempts = ? AND status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
  )
    .bind(lease, a.id, a.attempts, new Date(start + 1000).toISOString())
    .run();
  if (!claimed.meta.changes) return undefined; // another message holds it
  await env.DELIVERIES.send(msg, { delaySeconds: LEASE_SECONDS });
  return { ...a, start };
}

/** A delivery claimed for one attempt, started at `start` (ms). */
export type Claimed = Attempt & { start: number };

/** The attempt of a claimed delivery: the signed POST, then its outcome recorded and the next attempt queued. */
export async function attempt(env: Env, a: Claimed): Promise<void> {
  const start = a.start;
  const result = await send(env, a, new Date(start));
  const now = new Date();
  const attempts = a.attempts + 1;
  if (result.error === null) {
    await env.DB.batch([
      env.DB.prepare(
        "UPDATE webhook_deliveries SET status = 'succeeded', attempts = ?, last_status_code = ?, last_error = NULL, next_attempt_at = NULL, updated_at = ? WHERE id = ? AND attempts = ?",
      ).bind(attempts, result.status, now.toISOString(), a.id, a.attempts),
      env.DB.prepare("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL").bind(a.endpoint_id),
    ]);
    observeWebhookDelivery("delivered");
    return;
  }
  const next = nextAttemptAt(new Date(a.created_at), attempts, now);
  const failingSince = a.failing_since ? new Date(a.failing_since) : now;
  if (next) await env.DELIVERIES.send({ delivery_id: a.id, attempts }, { delaySeconds: delayTo(next.getTime(), now.getTime()) });
  await env.DB.batch([
    env.DB.prepare(
      "UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ? AND attempts = ?",
    ).bind(
      next ? "pending" : "failed",
      attempts,
      result.status,
      result.error,
      next?.toISOString() ?? null,
      now.toISOString(),
      a.id,
      a.attempts,
    ),
    env.DB.prepare(
      "UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, ?), status = CASE WHEN ? THEN 'disabled' ELSE status END WHERE id = ?",
    ).bind(now.toISOString(), shouldDisable(failingSince, now) ? 1 : 0, a.endpoint_id),
  ]);
  observeWebhookDelivery(next ? "retried" : "failed");
  if (shouldDisable(failingSince, now)) log("warn", { worker: "webhooks", event: "endpoint_disabled", endpoint_id: a.endpoint_id });
}
