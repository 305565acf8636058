import type { MiddlewareHandler } from "hono";

const VALID = /^[\x20-\x7e]{1,200}$/; // printable ASCII: safe to echo in a header

/** Echo a well-formed client X-Request-Id, else mint one; the gateway forwards it to every worker it calls. */
export function requestIdMiddleware(): MiddlewareHandler {
  return async (c, next) => {
    const sent = c.req.header("x-request-id")?.trim();
    const id = sent && VALID.test(sent) ? sent : `req_${crypto.randomUUID().replace(/-/g, "")}`;
    c.set("requestId", id);
    await next();
    c.res.headers.set("X-Request-Id", id);
  };
}
