/** A UNIQUE constraint failure, however deep D1's or drizzle's wrapping put it (drizzle keeps it as `cause`). */
export function isUniqueViolation(e: unknown): boolean {
  for (let err = e as { message?: string; cause?: unknown } | undefined, i = 0; err && i < 5; err = err.cause as typeof err, i++)
    if (typeof err.message === "string" && err.message.includes("UNIQUE constraint failed")) return true;
  return false;
}
