import { z } from "@hono/zod-openapi";
import type { users } from "../../../db/schema";

/** The public shape of a user; never the password hash. */
export const userSchema = z
  .object({
    id: z.string().openapi({ example: "usr_01jc8x2v3k4m5n6p7q8r9s0t1u" }),
    email: z.string().nullable().openapi({ example: "ada@example.com" }),
    name: z.string().nullable().openapi({ example: "Ada Lovelace" }),
    role: z.enum(["user", "admin"]),
    status: z.enum(["active", "suspended", "deleted"]),
    locale: z.string().openapi({ example: "en" }),
    timezone: z.string().openapi({ example: "UTC" }),
    base_currency: z.string().openapi({ example: "EUR" }),
    tax_residence: z.string().nullable().openapi({ example: "FR" }),
    created_at: z.string().openapi({ example: "2026-01-01T12:00:00.000Z" }),
  })
  .openapi("User");
export type User = z.infer<typeof userSchema>;

export function toUser(row: typeof users.$inferSelect): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    locale: row.locale,
    timezone: row.timezone,
    base_currency: row.baseCurrency,
    tax_residence: row.taxResidence,
    created_at: row.createdAt,
  };
}

/** Emails are unique case-insensitively: stored trimmed and in lower case. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();
