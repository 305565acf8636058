import type { MiddlewareHandler } from "hono";
import { ApiError } from "./errors";

export const SCOPES = [
  "accounts:read",
  "accounts:write",
  "transactions:read",
  "transactions:write",
  "payments:write",
  "tax:read",
  "ai:read",
] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling, as verified by the gateway. Domain workers never read identity from anything else. */
export interface Identity {
  sub: string; // user id
  role: "user" | "admin";
  scopes: Scope[];
  client_id?: string;
  jti?: string;
}

/** Header the gateway sets after verifying the bearer token; it strips any copy a client sent. */
export const IDENTITY_HEADER = "x-ef-identity";

export function readIdentity(headers: Headers): Identity | undefined {
  const raw = headers.get(IDENTITY_HEADER);
  if (!raw) return undefined;
  try {
    const id = JSON.parse(raw) as Identity;
    return typeof id.sub === "string" && Array.isArray(id.scopes) ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a route needs: a scope; `admin` (the admin role, on a person's own token, never an API client's);
 * `authenticated` (any verified caller, whatever its scopes); `null` (public).
 */
export type RouteScope = Scope | "admin" | "authenticated" | null;

/** Throws 403 when the verified caller may not do what `scope` names (routes, and RPC methods acting for a caller). */
export function checkScope(identity: Identity, scope: RouteScope): void {
  if (scope === "admin" && (identity.role !== "admin" || identity.client_id))
    throw new ApiError("forbidden", "Administrator role required.");
  if (scope && scope !== "admin" && scope !== "authenticated" && !identity.scopes.includes(scope))
    throw new ApiError("forbidden", `Missing scope ${scope}.`);
}

/** Route middleware: 401 without a verified identity, 403 when the token lacks the scope (or admin role). */
export function requireScope(scope: RouteScope): MiddlewareHandler {
  return async (c, next) => {
    const identity = readIdentity(c.req.raw.headers);
    if (!identity) throw new ApiError("unauthorized", "A valid bearer token is required.");
    checkScope(identity, scope);
    c.set("identity", identity);
    await next();
  };
}

/** After requireScope: refuses API-client tokens where only the person may act (password, clients, deletion, export). */
export const personOnly: MiddlewareHandler = async (c, next) => {
  const identity = c.get("identity") as Identity | undefined;
  if (!identity || identity.client_id) throw new ApiError("forbidden", "This operation needs the user's own token, not an API client's.");
  await next();
};
