import type { Context } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { auditEvents } from "../../../db/schema";
import { newId } from "../../core/src";
import type { AuthApp } from "./env";

export type AuditType =
  | "register"
  | "login"
  | "login_failed"
  | "refresh_reuse"
  | "logout"
  | "client_created"
  | "client_revoked";

/** The audit row for a security event: time, client IP and request id; `detail` never holds secrets. */
export function auditRow(c: Context<AuthApp>, type: AuditType, userId: string | null, detail?: Record<string, unknown>) {
  return {
    id: newId("evt"),
    userId,
    type,
    ip: c.req.header("x-ef-client-ip") ?? null,
    requestId: c.get("requestId") ?? null,
    detail: detail ? JSON.stringify(detail) : null,
    createdAt: new Date().toISOString(),
  };
}

export async function audit(c: Context<AuthApp>, type: AuditType, userId: string | null, detail?: Record<string, unknown>) {
  await drizzle(c.env.DB).insert(auditEvents).values(auditRow(c, type, userId, detail));
}
