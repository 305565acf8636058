import { namedStub } from "./rpc-binding";

/**
 * The RPC surface of the UserState Durable Object (one per user, implemented in workers/users): the
 * user's current status and role, which the gateway checks on every request, and the user's claimed
 * Idempotency-Keys. Other workers bind the class by name (`USER_STATE`, script ef-users) and call it
 * through this type only, so no domain imports another.
 */
export type UserStatus = "active" | "suspended" | "deleted";
export type UserRole = "user" | "admin";

export interface CallerState {
  status: UserStatus;
  role: UserRole;
}

export type KeyClaim = { ok: true } | { ok: false; code: "idempotency_key_reused" };

export interface UserStateRpc {
  /** The user's state; filled from D1 once for a user the object has not met. null: no such user. */
  caller(userId: string): Promise<CallerState | null>;
  /** A new user's state (register), so their first request needs no D1 read; a no-op once the object has one. */
  init(userId: string, state: CallerState): Promise<void>;
  /**
   * Re-reads D1 after a change: the admin PATCH (suspension, reactivation, role) and every sign-in and
   * refresh, which also brings a change written to D1 outside the API (admin:create).
   */
  reload(userId: string): Promise<CallerState | null>;
  /** First use records the fingerprint; a different one later is reused. Once deleted, nothing is stored. */
  claimKey(key: string, fingerprint: string): Promise<KeyClaim>;
  /** The user is deleted: status deleted, every claimed key erased. */
  erase(userId: string): Promise<void>;
}

/** The binding name in every worker that calls the object. */
export const USER_STATE_BINDING = "USER_STATE";

export function userStateStub(ns: DurableObjectNamespace<any>, userId: string): UserStateRpc {
  return namedStub<UserStateRpc>(ns, userId);
}

/** The stub from a worker's env; throws when the binding is missing (a config error, not bad input). */
export function userStateOf(env: unknown, userId: string): UserStateRpc {
  const ns = (env as Record<string, DurableObjectNamespace | undefined>)[USER_STATE_BINDING];
  if (!ns) throw new Error(`the ${USER_STATE_BINDING} binding is missing`);
  return userStateStub(ns, userId);
}
