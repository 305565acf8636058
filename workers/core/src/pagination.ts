import { z } from "@hono/zod-openapi";
import { and, desc, eq, lt, or, type SQL, type SQLWrapper } from "drizzle-orm";
import { ApiError } from "./errors";

export const limitSchema = z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 });
export const cursorSchema = z.string().max(512).optional().openapi({ description: "opaque cursor from next_cursor" });
export const paginationQuery = z.object({ limit: limitSchema, cursor: cursorSchema });

/** Keyset cursor over (created_at, id), newest first: opaque to clients, resolved in SQL. */
export interface Cursor {
  t: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return btoa(JSON.stringify([c.t, c.id]))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (!raw) return undefined;
  try {
    const [t, id] = JSON.parse(atob(raw.replace(/-/g, "+").replace(/_/g, "/"))) as unknown[];
    if (typeof t === "string" && typeof id === "string") return { t, id };
  } catch {
    /* fall through */
  }
  throw new ApiError("validation_failed", "The cursor is not valid.", {
    errors: [{ path: "cursor", message: "invalid cursor" }],
    status: 400,
  });
}

/**
 * Keyset pagination over (created_at, id), newest first, in SQL: `after` keeps the rows past the
 * cursor (undefined without one), `order` sorts them. Fetch `limit + 1` rows and hand them to `page`.
 * The columns are a drizzle table's, or `sql.identifier(...)` in a hand-written query.
 */
export function keyset(createdAt: SQLWrapper, id: SQLWrapper, cursor: string | undefined): { after: SQL | undefined; order: [SQL, SQL] } {
  const c = decodeCursor(cursor);
  return {
    after: c ? or(lt(createdAt, c.t), and(eq(createdAt, c.t), lt(id, c.id))) : undefined,
    order: [desc(createdAt), desc(id)],
  };
}

/** Given limit+1 rows fetched newest first, the page and its next cursor. */
export function page<T>(rows: T[], limit: number, key: (row: T) => Cursor) {
  const data = rows.slice(0, limit);
  const next_cursor = rows.length > limit ? encodeCursor(key(data[data.length - 1])) : null;
  return { data, next_cursor };
}

export const pageSchema = <T extends z.ZodTypeAny>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });
