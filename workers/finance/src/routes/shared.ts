import type { Context } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { ApiError, isKnownCategory, matching, z, type AppEnv } from "#core";
import type { Env } from "../env";

export type Ctx = Context<AppEnv<Env>>;
export const db = (c: Ctx) => drizzle(c.env.DB);
/** The caller, as verified by the gateway (set by the route's scope middleware). */
export const userId = (c: Ctx) => c.get("identity").sub;

/** A display name: trimmed, 1–100 characters, any script, no control characters. */
export const nameSchema = (max = 100) =>
  matching(z.string().trim().min(1).max(max), /^[^\p{Cc}]*$/u, "must not contain control characters");

export const idParam = (prefix: string, example: string) =>
  z.object({
    id: z
      .string()
      .min(1)
      .openapi({ param: { name: "id", in: "path" }, example: `${prefix}_${example}` }),
  });

export const categoryRefSchema = z.string().min(1).max(64).openapi({
  example: "groceries",
  description: "A fixed taxonomy code (see GET /v1/categories) or the name of one of your own categories",
});

export async function requireCategory(c: Ctx, code: string, path = "category") {
  if (!(await isKnownCategory(c.env.DB, userId(c), code)))
    throw new ApiError("validation_failed", "The request body is not valid.", {
      errors: [{ path, message: "must be a taxonomy code or the name of one of your own categories" }],
    });
}

export const badQuery = (path: string, message: string) =>
  new ApiError("validation_failed", "The query or path parameters are not valid.", { errors: [{ path, message }], status: 400 });
