import { ApiError } from "./errors";

/** Request and response header carrying a D1 Sessions API bookmark. */
export const D1_BOOKMARK_HEADER = "x-d1-bookmark";

/**
 * The cross-account views: they read the D1 projection, so with read replication they may be served by
 * a replica, from the client's bookmark (or, without one, wherever is nearest). Reads of one account
 * are served by its ledger object and never come here.
 */
const REPLICA_READS: readonly RegExp[] = [
  /^\/v1\/payments(\/[^/]+)?\/?$/, // list and one payment
  /^\/v1\/reports(\/.*)?$/,
  /^\/v1\/budgets(\/.*)?$/,
  /^\/v1\/accounts\/?$/, // the list (balances from the projection)
  /^\/v1\/tax\/report\/?$/,
  /^\/v1\/ai(\/.*)?$/,
  /^\/v1\/users\/me\/export\/?$/,
];

const CONSTRAINTS = new Set(["first-unconstrained", "first-primary"]);
// Bookmarks are opaque; D1's are dash-separated hex groups. Anything else is refused before it reaches D1.
const BOOKMARK = /^[0-9a-f]{1,64}(-[0-9a-f]{1,64}){0,7}$/i;

/**
 * Where a request's D1 session starts: a cross-account view (GET/HEAD) from the client's bookmark,
 * "first-unconstrained" without one; every other request at the primary, as without sessions, so a
 * check-then-write never reads a replica. Either way the answer carries the session's bookmark, which a
 * client sends back to read its own D1 writes from any replica.
 */
export function sessionStart(method: string, path: string, bookmark: string | undefined): string {
  const replicaRead = (method === "GET" || method === "HEAD") && REPLICA_READS.some((r) => r.test(path));
  if (bookmark !== undefined && bookmark !== "" && !CONSTRAINTS.has(bookmark) && !BOOKMARK.test(bookmark))
    throw new ApiError("validation_failed", "The x-d1-bookmark header is not a bookmark.", {
      errors: [{ path: D1_BOOKMARK_HEADER, message: "invalid" }],
      status: 400,
    });
  if (!replicaRead) return "first-primary";
  return bookmark || "first-unconstrained";
}

/** `env` with `DB` replaced by one D1 session for the request; `session` is null when there is no DB. */
export function withD1Session<E extends object>(env: E, start: string): { env: E; session: D1DatabaseSession | null } {
  const db = (env as { DB?: D1Database }).DB;
  if (!db || typeof db.withSession !== "function") return { env, session: null };
  const session = db.withSession(start);
  const view = new Proxy(env, { get: (target, key) => (key === "DB" ? session : Reflect.get(target, key)) });
  return { env: view, session };
}
