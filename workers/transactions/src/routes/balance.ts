import type { OpenAPIHono } from "@hono/zod-openapi";
import { z, getRoute, type AppEnv } from "#core";
import type { Env } from "../env";
import { accountParams, ledger, notFound } from "./shared";

const balanceSchema = z
  .object({
    current: z.number().int(),
    available: z.number().int().nullable(),
    pending: z.number().int(),
    version: z.number().int(),
    as_of: z.string(),
  })
  .openapi("Balance");

const read = { tags: ["transactions"], scope: "accounts:read" as const };

export const getBalance = getRoute({
  path: "/v1/accounts/{id}/balance",
  summary: "The account's balance, read from its ledger object (strongly consistent)",
  ...read,
  params: accountParams,
  item: { schema: balanceSchema, description: "Balance; available is null when the account has no limit" },
});

export const verifyLedger = getRoute({
  path: "/v1/accounts/{id}/verify",
  summary: "Recompute the hash chain over every entry of the account",
  ...read,
  params: accountParams,
  item: {
    schema: z.object({ entries: z.number().int(), head_hash: z.string(), valid: z.boolean() }).openapi("Verification"),
    description: "Chain check",
  },
});

export function registerBalance(app: OpenAPIHono<AppEnv<Env>>) {
  app.openapi(getBalance, async (c) => {
    const { id } = c.req.valid("param");
    // The object checks that the account is the caller's: no D1 on this path.
    const b = await ledger(c.env, id).balance(c.get("identity").sub);
    if (!b) throw notFound();
    const { current, available, pending, version, as_of } = b;
    return c.json({ current, available, pending, version, as_of }, 200);
  });
  app.openapi(verifyLedger, async (c) => {
    const { id } = c.req.valid("param");
    const v = await ledger(c.env, id).verify(c.get("identity").sub);
    if (!v) throw notFound();
    return c.json(v, 200);
  });
}
