import type { OpenAPIHono } from "@hono/zod-openapi";
import { ApiError, ENTRY_TEXT_LIMITS as L, defineRoute, isCategoryCode, jsonResponse, newId, z, type AppEnv, type EntryInput, type ImportRowResult } from "../../../core/src";
import { batches, readLines } from "../imports/lines";
import { MalformedFile, parseCsv, type ParsedRow } from "../imports/csv";
import { parseOfx } from "../imports/ofx";
import { modelCategories, ruleCategory, userRules } from "../categorize";
import type { Env } from "../env";
import { accountParams, ledger, notFound } from "./shared";

const importSchema = z
  .object({
    id: z.string(),
    imported: z.number().int(),
    duplicates: z.number().int(),
    failed: z.number().int(),
    errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
  })
  .openapi("Import");

export const createImport = defineRoute({
  method: "post",
  path: "/v1/accounts/{id}/imports",
  tags: ["transactions"],
  summary: "Import a CSV or OFX statement (up to 10 MiB)",
  description:
    `CSV: header row with date,amount,description (+ category,counterparty,external_id); amounts in major units with '.' decimals. OFX 1.x SGML or 2.x XML; FITID is the external id. A field longer than the ledger stores (description ${L.description}, counterparty ${L.counterparty}, external_id ${L.external_id}, category ${L.category} characters) makes its row an error; the other rows are imported. Duplicates (same external_id, else same date, amount and description) are skipped, so re-importing a file changes nothing.`,
  scope: "transactions:write",
  request: {
    params: accountParams,
    body: {
      required: true,
      content: { "text/csv": { schema: z.string() }, "application/x-ofx": { schema: z.string() } },
    },
  },
  responses: { 201: jsonResponse(importSchema, "What was imported, skipped and refused, with 1-based line numbers") },
});

const BATCH = 200;
const MAX_ERRORS = 1000;

export function registerImports(app: OpenAPIHono<AppEnv<Env>>) {
  app.openapi(createImport, async (c) => {
    const { id } = c.req.valid("param");
    const user = c.get("identity").sub;
    const account = await ledger(c.env, id).balance(user);
    if (!account) throw notFound();
    if (account.status === "closed") throw new ApiError("account_closed", "The account is closed.");
    const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    const format = type === "text/csv" ? "csv" : type === "application/x-ofx" || type === "application/ofx" ? "ofx" : undefined;
    if (!format) throw new ApiError("unsupported_media_type", "Send text/csv or application/x-ofx.");
    if (!c.req.raw.body) throw new ApiError("validation_failed", "The file is empty.", [{ path: "(body)", message: "empty" }]);

    const rules = await userRules(c.env.DB, user);
    const own = new Set(
      (await c.env.DB.prepare("SELECT name FROM categories WHERE user_id = ?").bind(user).all<{ name: string }>()).results.map((r) => r.name),
    );
    const importId = newId("imp");
    const summary = { imported: 0, duplicates: 0, failed: 0, errors: [] as { line: number; message: string }[] };
    const failed = (line: number, message: string) => {
      summary.failed++;
      if (summary.errors.length < MAX_ERRORS) summary.errors.push({ line, message });
    };
    const parse = format === "csv" ? parseCsv : parseOfx;
    try {
      for await (const batch of batches<ParsedRow>(parse(readLines(c.req.raw.body), account.currency), BATCH)) {
        const good: { line: number; input: EntryInput }[] = [];
        for (const r of batch) {
          if (!r.ok) failed(r.line, r.message);
          else if (r.row.category && !isCategoryCode(r.row.category) && !own.has(r.row.category)) failed(r.line, `unknown category "${r.row.category.slice(0, 64)}"`);
          else {
            const category = r.row.category ?? ruleCategory(rules, r.row.description);
            good.push({ line: r.line, input: { ...r.row, category: category ?? "", import_id: importId } });
          }
        }
        await categorizeMissing(c.env, good.map((g) => g.input));
        const results: ImportRowResult[] = good.length ? await ledger(c.env, id).importRows(good.map((g) => g.input), user) : [];
        results.forEach((r, i) => {
          if (r.status === "imported") summary.imported++;
          else if (r.status === "duplicate") summary.duplicates++;
          else failed(good[i].line, r.message ?? "refused");
        });
      }
    } catch (e) {
      if (e instanceof MalformedFile) throw new ApiError("validation_failed", e.message, [{ path: "(body)", message: e.message }]);
      throw e;
    }
    summary.errors.sort((a, b) => a.line - b.line);
    await c.env.DB.prepare("INSERT INTO imports (id, account_id, user_id, format, imported, duplicates, failed, errors) VALUES (?,?,?,?,?,?,?,?)")
      .bind(importId, id, user, format, summary.imported, summary.duplicates, summary.failed, JSON.stringify(summary.errors))
      .run();
    return c.json({ id: importId, ...summary }, 201);
  });
}

/** One model call per batch for the rows that neither the file nor a rule categorised. */
async function categorizeMissing(env: Env, inputs: EntryInput[]) {
  const missing = inputs.filter((i) => !i.category);
  const categories = await modelCategories(env, missing);
  missing.forEach((m, i) => (m.category = categories[i]));
}
