import type { z } from "@hono/zod-openapi";

/**
 * `schema.regex(re, message)`, documented with the expression's source as its OpenAPI `pattern`. The
 * generator writes the regex's `toString()` less its slashes, so a flag stays in the text (`^…$/u`) and
 * the documented pattern matches nothing a client sends. JSON Schema patterns have no flags and
 * validators read them in unicode mode, so only a flagless or `u` expression is accepted.
 */
export function matching(schema: z.ZodString, re: RegExp, message: string) {
  if (re.flags !== "" && re.flags !== "u") throw new Error(`an OpenAPI pattern cannot carry the flags "${re.flags}" of ${re}`);
  return schema.regex(re, message).openapi({ pattern: re.source });
}
