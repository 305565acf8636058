import type { Context } from "hono";
import { newId } from "../../core/src";
import type { UsersApp } from "./env";

export type AuditType = "password_change" | "profile_updated" | "account_deleted" | "user_suspended" | "user_reactivated" | "role_changed";

/** The audit row for a security event: time, client IP and request id; `detail` never holds secrets. */
export function auditRow(c: Context<UsersApp>, type: AuditType, userId: string, detail?: Record<string, unknown>, withIp = true) {
  return {
    id: newId("evt"),
    userId,
    type,
    ip: withIp ? (c.req.header("x-ef-client-ip") ?? null) : null,
    requestId: c.get("requestId") ?? null,
    detail: detail ? JSON.stringify(detail) : null,
    createdAt: new Date().toISOString(),
  };
}
