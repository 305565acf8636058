/**
 * drizzle wraps a failing query in an error whose message lists the bound parameters, which can hold a
 * password hash or a token hash. Queries that carry such values go through `scrubbed`, so that whatever
 * reaches the error log names the D1 failure only.
 */
export class ScrubbedDbError extends Error {
  override name = "ScrubbedDbError";
}

export async function scrubbed<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (e) {
    const cause = (e as { cause?: unknown })?.cause;
    const detail = cause instanceof Error ? cause.message : "query failed";
    throw new ScrubbedDbError(`D1 query failed: ${detail}`);
  }
}
