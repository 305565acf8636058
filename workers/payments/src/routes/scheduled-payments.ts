import type { OpenAPIHono } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import {
  ApiError,
  type AppEnv,
  idempotencyKey,
  isIsoDate,
  keyset,
  type LedgerRpc,
  ledgerStub,
  newId,
  page,
  z,
  pathId,
  resourceRoutes,
} from "#core";
import type { Env } from "../index";
import { INTERVAL_UNITS, normalizeInstant, termsProblems } from "../schedule-policy";
import { distinctAccounts, movementFields, newMovementFields } from "../movement";
import { RUNS_SHOWN, scheduleView, type ScheduleRpc } from "../scheduled-payment";

const instant = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .refine((v) => isIsoDate(v.slice(0, 10)), "must be a real calendar date")
    .openapi({ description, example: "2027-01-31T09:00:00Z" });

const intervalSchema = z
  .strictObject({
    unit: z.enum(INTERVAL_UNITS),
    count: z.number().int().min(1).max(365),
  })
  .openapi("ScheduleInterval");

const scheduleSchema = z
  .object({
    id: z.string(),
    status: z.enum(["active", "completed", "cancelled"]),
    ...movementFields,
    start_at: z.string(),
    interval: intervalSchema.nullable(),
    end_at: z.string().nullable(),
    max_occurrences: z.number().int().nullable(),
    next_run_at: z.string().nullable().openapi({ description: "The next occurrence; null once completed or cancelled" }),
    occurrences_executed: z.number().int().openapi({ description: "Runs so far, completed or failed" }),
    created_at: z.string(),
  })
  .openapi("ScheduledPayment");

const runSchema = z
  .object({
    occurrence_at: z.string(),
    status: z.enum(["completed", "failed"]),
    payment_id: z.string().nullable(),
    failure_code: z.string().nullable().openapi({ description: "insufficient_funds, account_closed, currency_mismatch, …" }),
  })
  .openapi("ScheduledPaymentRun");

const scheduleWithRunsSchema = scheduleSchema
  .extend({ runs: z.array(runSchema).openapi({ description: `The ${RUNS_SHOWN} latest runs, newest first` }) })
  .openapi("ScheduledPaymentWithRuns");

const createBody = distinctAccounts(
  z.strictObject({
    ...newMovementFields,
    start_at: instant("The first occurrence (with a zone); not more than 60 s in the past"),
    interval: intervalSchema.optional().openapi({ description: "Without it the payment runs once" }),
    end_at: instant("No occurrence after this instant").optional(),
    max_occurrences: z.number().int().min(1).max(1_000_000).optional(),
  }),
).openapi("NewScheduledPayment");

const schedule = resourceRoutes({
  path: "/v1/scheduled-payments",
  tags: ["scheduled payments"],
  params: pathId(),
  item: scheduleSchema,
  read: "transactions:read",
  write: "payments:write",
});

export const createSchedule = schedule.create({
  summary: "Schedule a payment from one of your accounts, once or recurring",
  description:
    "Each occurrence runs once, at or after its time, as a payment whose Idempotency-Key is the schedule id and the occurrence time; occurrences missed during an outage run afterwards, in order. Monthly and yearly occurrences keep the start's day (UTC), on the month's last day when it is shorter. A refused occurrence is recorded `failed` with its code and the schedule goes on. The source must be yours and in `currency` (404 / 422 currency_mismatch); the destination must exist (404) in the same currency. An optional Idempotency-Key replays the first answer.",
  headers: z.object({
    "idempotency-key": z.string().max(255).optional().openapi({ description: "1–255 visible ASCII characters" }),
  }),
  body: { schema: createBody },
  answer: "The new schedule",
});

export const listSchedules = schedule.list({
  summary: "Your scheduled payments, newest first",
  description: "Read from the projection, which follows each schedule's changes within about a second.",
  page: { description: "A page of scheduled payments" },
});

export const getSchedule = schedule.get({
  summary: "One of your scheduled payments with its runs",
  description: "Served by the schedule's own object: it reflects every run and cancel that has answered.",
  schema: scheduleWithRunsSchema,
  answer: "The schedule and its latest runs",
});

export const cancelSchedule = schedule.action("cancel", {
  summary: "Cancel a scheduled payment",
  description:
    "No occurrence runs after this answers: one already under way is finished first. Cancelling a cancelled schedule answers it again; a completed one → 409 `conflict`.",
  answer: "The cancelled schedule",
  conflict: "The schedule has completed",
});

/** The object of one schedule (named by its id), or of one caller's Idempotency-Key. */
const scheduleStub = (env: Env, name: string) => env.SCHEDULES.get(env.SCHEDULES.idFromName(name)) as unknown as ScheduleRpc;
const scheduleId = (raw: string) => (/^sch_[0-9a-z]{26}$/.test(raw) ? raw : undefined);

export function registerScheduledPayments(app: OpenAPIHono<AppEnv<Env>>) {
  app.openapi(createSchedule, async (c) => {
    const body = c.req.valid("json");
    const user = c.get("identity").sub;
    const terms = {
      start_at: normalizeInstant(body.start_at),
      interval: body.interval ?? null,
      end_at: body.end_at ? normalizeInstant(body.end_at) : null,
      max_occurrences: body.max_occurrences ?? null,
    };
    const problems = termsProblems(terms, Date.now());
    if (problems.length) throw new ApiError("validation_failed", "The schedule is not valid.", { errors: problems });
    const idem = await idempotencyKey(c, body);

    // The accounts' own objects answer for them: the source must be the caller's, both in this currency.
    const [source, destination] = await Promise.all([
      ledgerStub<LedgerRpc>(c.env.LEDGER, body.source_account_id).balance(user),
      ledgerStub<LedgerRpc>(c.env.LEDGER, body.destination_account_id).balance(),
    ]);
    if (!source) throw new ApiError("not_found", "No such source account.");
    if (!destination.currency) throw new ApiError("not_found", "No such destination account.");
    for (const [side, account] of [
      ["source", source],
      ["destination", destination],
    ] as const) {
      if (account.status === "closed") throw new ApiError("account_closed", `The ${side} account is closed.`);
      if (account.currency !== body.currency) throw new ApiError("currency_mismatch", `The ${side} account is in ${account.currency}.`);
    }

    // With a key, the key's own object names the schedule, so a retry reaches the same one.
    const id = idem ? await scheduleStub(c.env, `key:${idem.key}`).claimId(idem.fingerprint, newId("sch")) : newId("sch");
    const created = await scheduleStub(c.env, id).create(
      {
        id,
        user_id: user,
        source_account_id: body.source_account_id,
        destination_account_id: body.destination_account_id,
        amount: body.amount,
        currency: body.currency,
        description: body.description ?? null,
        ...terms,
      },
      idem?.fingerprint ?? null,
    );
    if ("conflict" in created) throw new ApiError("idempotency_key_reused", "This Idempotency-Key was used with a different request.");
    const headers: Record<string, string> = created.replayed ? { "Idempotent-Replayed": "true" } : {};
    return c.json(created.schedule, 201, headers);
  });

  app.openapi(listSchedules, async (c) => {
    const user = c.get("identity").sub;
    const q = c.req.valid("query");
    const k = keyset(sql.identifier("created_at"), sql.identifier("id"), q.cursor);
    const rows = await drizzle(c.env.DB).all<Record<string, unknown>>(
      sql`SELECT * FROM scheduled_payments WHERE user_id = ${user} AND ${k.after ?? sql`1`} ORDER BY ${sql.join(k.order, sql`, `)} LIMIT ${q.limit + 1}`,
    );
    const p = page(rows, q.limit, (r) => ({ t: r.created_at as string, id: r.id as string }));
    return c.json({ data: p.data.map(scheduleView), next_cursor: p.next_cursor }, 200);
  });

  app.openapi(getSchedule, async (c) => {
    const id = scheduleId(c.req.valid("param").id);
    const found = id ? await scheduleStub(c.env, id).get(c.get("identity").sub) : null;
    if (!found) throw new ApiError("not_found", "No such scheduled payment.");
    return c.json(found, 200);
  });

  app.openapi(cancelSchedule, async (c) => {
    const id = scheduleId(c.req.valid("param").id);
    if (!id) throw new ApiError("not_found", "No such scheduled payment.");
    const outcome = await scheduleStub(c.env, id).cancel(c.get("identity").sub);
    if (!outcome.ok)
      throw outcome.code === "conflict"
        ? new ApiError("conflict", "The schedule has completed: there is nothing left to cancel.")
        : new ApiError("not_found", "No such scheduled payment.");
    return c.json(outcome.schedule, 200);
  });
}
