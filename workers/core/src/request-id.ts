import type { MiddlewareHandler } from "hono";

const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echo a well-formed client X-Request-Id, else mint one; the gateway forwards it to every worker it calls. */
export function requestIdMiddleware(): MiddlewareHandler {
  return async (c, next) => {
    const sent = c.req.header("x-request-id");
    const id = sent && VALID.test(sent) ? sent : `req_${crypto.randomUUID().replace(/-/g, "")}`;
    c.set("requestId", id);
    await next();
    c.res.headers.set("X-Request-Id", id);
  };
}
