import type { Context } from "hono";
import { isIsoDate, ownedAccount, z, type AppEnv } from "#core";
import type { Env } from "../env";

export type Ctx = Context<AppEnv<Env>>;

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 does not). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine(isIsoDate, "must be a real calendar date")
  .openapi({ example: "2026-06-30" });

export const accountIdQuery = z
  .string()
  .min(1)
  .max(64)
  .openapi({ example: "acc_01jz3k5m7q8r9s0t1v2w3x4y5z", description: "One of your accounts" });

export const today = () => new Date().toISOString().slice(0, 10);

/** The caller's account, or 404 whether it does not exist or belongs to someone else. */
export const ownAccount = (c: Ctx, id: string) => ownedAccount(c.env.DB, id, c.get("identity").sub);
