import type { Context } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { auditEvents } from "../../../db/schema";
import { auditRow, type AuditType } from "#core";
import type { AuthApp } from "./env";

export async function audit(c: Context<AuthApp>, type: AuditType, userId: string | null, detail?: Record<string, unknown>) {
  await drizzle(c.env.DB)
    .insert(auditEvents)
    .values(auditRow(c, type, userId, detail));
}
