import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";

/**
 * JSON answers that carry money totals exactly. A total is a bigint in the handler (see exact-sum.ts)
 * and is written as plain JSON integer digits: a total within ±(2^53 − 1) reads the same as any JSON
 * number, a larger one is still a valid JSON integer, exact for every parser that keeps big integers
 * (JavaScript: `JSON.parse` with a reviver reading `context.source`, or a bigint-aware JSON library).
 * `c.json` cannot do this: `JSON.stringify` throws on bigint, and a number past 2^53 is already rounded.
 */

/** The document's type as clients see it: every bigint is a JSON integer (`type: integer` in OpenAPI). */
export type Exact<T> = T extends bigint
  ? number
  : T extends readonly (infer U)[]
    ? Exact<U>[]
    : T extends object
      ? { [K in keyof T]: Exact<T[K]> }
      : T;

/** `JSON.stringify(value)`, except that bigints are written as their exact decimal digits. */
export function exactJsonText(value: unknown): string {
  return write(value) ?? "null";
}

function write(v: unknown): string | undefined {
  if (typeof v === "bigint") return v.toString();
  if (v !== null && typeof v === "object") {
    const json = (v as { toJSON?: () => unknown }).toJSON;
    if (typeof json === "function") return write(json.call(v));
    if (Array.isArray(v)) return `[${v.map((x) => write(x) ?? "null").join(",")}]`;
    const fields: string[] = [];
    for (const [k, x] of Object.entries(v)) {
      const text = write(x);
      if (text !== undefined) fields.push(`${JSON.stringify(k)}:${text}`);
    }
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(v); // strings, numbers, booleans, null; undefined and functions are left out
}

/** Like `c.json(body, status)`, with bigint totals written exactly; typed for OpenAPI routes. */
export function exactJson<T, S extends ContentfulStatusCode>(c: Context, body: T, status: S) {
  const res: Response = c.body(exactJsonText(body), status, { "content-type": "application/json" });
  // The one place the JSON type is asserted: `c.json` types its own text, this text is written above.
  return res as Response & TypedResponse<JSONParsed<Exact<T>>, S, "json">;
}

/**
 * The reader's side, for clients and tests: `JSON.parse`, except that an integer outside ±(2^53 − 1)
 * becomes an exact bigint, read from its digits (the reviver's `context.source`, Node 22 and workerd).
 */
// biome-ignore lint/suspicious/noExplicitAny: a parsed document, as JSON.parse answers it
export function parseExactJson(text: string): any {
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === "number" && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source))
      return BigInt(context.source);
    return value;
  } as (key: string, value: unknown) => unknown);
}
