/** The rules of the UserState object, pure so they are unit-tested without a Durable Object. */
import type { CallerState, UserRole, UserStatus } from "#core/user-state";

/**
 * How long a claimed Idempotency-Key is remembered (at least the 24 h clients are promised; a week
 * covers a retry after a weekend). Older claims are dropped before each new claim and by the object's
 * alarm, which is armed for the oldest claim's expiry, so a user who stops calling keeps none either.
 */
export const KEY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** Claims made before this instant have expired. */
export const expiredBefore = (now: number) => now - KEY_RETENTION_MS;

/** When the alarm should next prune, from the oldest claim still stored (none: no alarm). */
export const nextPruneAt = (oldestClaim: number | undefined) => (oldestClaim === undefined ? null : oldestClaim + KEY_RETENTION_MS);

/** A new key is claimed; the same fingerprint is the same request (the ledger replays it); any other is a reuse. */
export function claimVerdict(stored: string | undefined, fingerprint: string): "claim" | "same" | "reused" {
  if (stored === undefined) return "claim";
  return stored === fingerprint ? "same" : "reused";
}

const STATUSES: readonly string[] = ["active", "suspended", "deleted"] satisfies UserStatus[];
const ROLES: readonly string[] = ["user", "admin"] satisfies UserRole[];

/** A users row (or the object's copy) → the caller state; anything unexpected fails closed as suspended. */
export function callerFromRow(row: { status: unknown; role: unknown }): CallerState {
  const status = STATUSES.includes(row.status as string) ? (row.status as UserStatus) : "suspended";
  const role = ROLES.includes(row.role as string) ? (row.role as UserRole) : "user";
  return { status, role };
}

/**
 * A D1 read of the user's row that another write (init, erase, a reload that finished first) overtook
 * may be older than that write: the object counts its writes and keeps a read only if none landed
 * while it was in flight, else reads again.
 */
export const readStillCurrent = (writesWhenStarted: number, writesNow: number) => writesWhenStarted === writesNow;
