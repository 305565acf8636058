import type { Context } from "hono";
import { newId } from "./ids";

/** Security events of a user's account (auth and users workers write them; `GET /v1/users/me/audit` reads them). */
export type AuditType =
  | "register"
  | "login"
  | "login_failed"
  | "refresh_reuse"
  | "logout"
  | "client_created"
  | "client_revoked"
  | "password_change"
  | "password_change_failed"
  | "password_change_throttled"
  | "profile_updated"
  | "account_deleted"
  | "user_suspended"
  | "user_reactivated"
  | "role_changed";

/** The audit row for a security event: time, client IP and request id; `detail` never holds secrets. */
export function auditRow(c: Context<any>, type: AuditType, userId: string | null, detail?: Record<string, unknown>, withIp = true) {
  return {
    id: newId("evt"),
    userId,
    type,
    ip: withIp ? (c.req.header("x-ef-client-ip") ?? null) : null,
    requestId: (c.get("requestId") as string | undefined) ?? null,
    detail: detail ? JSON.stringify(detail) : null,
    createdAt: new Date().toISOString(),
  };
}
