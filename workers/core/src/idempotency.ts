import type { Context } from "hono";
import { ApiError } from "./errors";
import type { LedgerFailure } from "./ledger";
import { userStateOf } from "./user-state";

/**
 * Idempotency-Key handling per draft-ietf-httpapi-idempotency-key-header: the key is scoped to the
 * caller and travels with a fingerprint of the request, so the object that moves the money can tell
 * a replay (same fingerprint) from a reuse (different one). The caller's UserState object claims the
 * key first, so a key is bound to one request across all of the caller's accounts.
 */
export interface IdempotencyKey {
  key: string;
  fingerprint: string;
}

async function sha256(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** JSON with sorted keys, so that field order does not change the fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

export async function idempotencyKey(c: Context, body: unknown, required = false): Promise<IdempotencyKey | undefined> {
  const key = c.req.header("idempotency-key");
  if (key === undefined || key === "") {
    if (required)
      throw new ApiError("validation_failed", "The Idempotency-Key header is required.", {
        errors: [{ path: "Idempotency-Key", message: "required" }],
        status: 400,
      });
    return undefined;
  }
  if (key.length > 255 || !/^[\x21-\x7e]+$/.test(key))
    throw new ApiError("validation_failed", "The Idempotency-Key header must be 1–255 visible ASCII characters.", {
      errors: [{ path: "Idempotency-Key", message: "invalid" }],
      status: 400,
    });
  const caller = c.get("identity")?.sub ?? "anonymous";
  const url = new URL(c.req.url);
  const claim = { key: `${caller}:${key}`, fingerprint: await sha256(`${c.req.method} ${url.pathname}\n${canonical(body)}`) };
  // First use claims the key for this request in the caller's UserState object (no D1 round trip);
  // any later use, on any account, must be the very same request.
  const verdict = await userStateOf(c.env, caller).claimKey(claim.key, claim.fingerprint);
  if (!verdict.ok) throw new ApiError("idempotency_key_reused", "This Idempotency-Key was used with a different request.");
  return claim;
}

/** Renders a ledger outcome (201, typed as the route's body): failures as problem+json, replays with `Idempotent-Replayed: true`. */
export function outcomeResponse<T extends { ok: true }, B extends object>(
  c: Context,
  outcome: (T | LedgerFailure) & { replayed?: boolean },
  render: (ok: T) => B,
) {
  const replayHeader: Record<string, string> = outcome.replayed ? { "Idempotent-Replayed": "true" } : {};
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.detail, { headers: replayHeader });
  return c.json(render(outcome), 201, replayHeader);
}
