import type { MiddlewareHandler } from "hono";
import { ApiError, type Identity } from "../../core/src";

/** After requireScope: refuses API-client tokens where only the person may act (managing clients). */
export const personOnly: MiddlewareHandler = async (c, next) => {
  const identity = c.get("identity") as Identity | undefined;
  if (!identity || identity.client_id) throw new ApiError("forbidden", "This operation needs the user's own token, not an API client's.");
  await next();
};
