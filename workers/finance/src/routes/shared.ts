import type { Context } from "hono";
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { categories } from "../../../../db/schema";
import { ApiError, isCategoryCode, z, type AppEnv } from "../../../core/src";
import type { Env } from "../env";

export type Ctx = Context<AppEnv<Env>>;
export const db = (c: Ctx) => drizzle(c.env.DB);
/** The caller, as verified by the gateway (set by the route's scope middleware). */
export const userId = (c: Ctx) => c.get("identity").sub;

/** A display name: trimmed, 1–100 characters, any script, no control characters. */
export const nameSchema = (max = 100) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, "must not contain control characters");

export const idParam = (prefix: string, example: string) =>
  z.object({ id: z.string().min(1).openapi({ param: { name: "id", in: "path" }, example: `${prefix}_${example}` }) });

export const categoryRefSchema = z
  .string()
  .min(1)
  .max(64)
  .openapi({ example: "groceries", description: "A taxonomy code (SPEC §4) or the name of one of your own categories" });

/** A category the caller may use: a taxonomy code or one of their own categories. */
export async function categoryExists(c: Ctx, code: string): Promise<boolean> {
  if (isCategoryCode(code)) return true;
  const row = await db(c)
    .select({ id: categories.id })
    .from(categories)
    .where(and(eq(categories.name, code), eq(categories.userId, userId(c))))
    .get();
  return row !== undefined;
}

export async function requireCategory(c: Ctx, code: string, path = "category") {
  if (!(await categoryExists(c, code)))
    throw new ApiError("validation_failed", "The request body is not valid.", [
      { path, message: "must be a taxonomy code or the name of one of your own categories" },
    ]);
}


export const badQuery = (path: string, message: string) =>
  new ApiError("validation_failed", "The query or path parameters are not valid.", [{ path, message }], 400);
