import { createHash } from "node:crypto";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  ApiError,
  ENTRY_TEXT_LIMITS as L,
  IMPORT_FORMATS,
  defineRoute,
  idempotencyKey,
  isCategoryCode,
  jsonResponse,
  matching,
  newId,
  outcomeResponse,
  z,
  type AppEnv,
  type EntryInput,
  type ImportRowResult,
  type ImportSummary,
} from "#core";
import { batches } from "../imports/lines";
import { AmbiguousDates } from "../imports/csv";
import { DATE_FORMATS } from "../imports/dates";
import { readBody } from "../imports/decode";
import { COLUMN_NAMES, formatOf, readerFor, type Format } from "../imports/formats";
import { MalformedFile, type ParsedRow } from "../imports/rows";
import { modelCategories, ruleCategory, userRules } from "../categorize";
import type { Env } from "../env";
import { accountParams, ledger, notFound } from "./shared";

const importSchema = z
  .object({
    id: z.string().openapi({ example: "imp_01JD8X3K7Q9V2M4N6P8R0S2T4V" }),
    format: z.enum(IMPORT_FORMATS),
    imported: z.number().int(),
    duplicates: z.number().int(),
    failed: z.number().int(),
    errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
  })
  .openapi("Import");

const bool = z.enum(["true", "false"]).optional();
const importQuery = z.object({
  dry_run: bool.openapi({ description: "`true`: parse and check everything, answer what would be imported, write nothing" }),
  date_format: z
    .enum(DATE_FORMATS)
    .optional()
    .openapi({ description: "How the file writes its dates, for a file whose dates read both ways (CSV, QIF)" }),
  columns: matching(
    z.string().max(500),
    new RegExp(`^(${COLUMN_NAMES.join("|")}|-)(,(${COLUMN_NAMES.join("|")}|-))*$`),
    `comma-separated column names: ${COLUMN_NAMES.join(", ")} or -`,
  )
    .optional()
    .openapi({
      example: "date,-,description,amount",
      description: "CSV: the file's columns in order (`-` skips one); the file then has no header row unless `header=true`",
    }),
  header: bool.openapi({ description: "With `columns`: the file's first record is a header row to skip" }),
});

const text = { schema: z.string() };
export const createImport = defineRoute({
  method: "post",
  path: "/v1/accounts/{id}/imports",
  tags: ["transactions"],
  summary: "Import a bank statement: CSV, OFX, QIF or CAMT.053 (up to 10 MiB)",
  description:
    'The format is the Content-Type. **CSV** (`text/csv`) as banks export it: `,` `;` or tab delimited, RFC 4180 quoting (fields may hold delimiters, `""` and line breaks), ' +
    "UTF-8 (BOM or not) or Windows-1252/ISO-8859-1 (detected); preamble lines above the header skipped (the header is the first line naming a date and an amount, or debit and credit, column; " +
    "English, French and German names: date, Date opération, Buchungstag, amount, Montant, Betrag, Débit, Crédit, Soll, Haben, description, Libellé, Verwendungszweck, counterparty, external_id, category, …), " +
    "or columns named with `?columns=`; dates YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY or MM/DD/YYYY (`?date_format=` for a file whose dates read both ways); amounts with `.` or `,` decimals and " +
    "space, `.`, `,` or `'` thousands separators, parsed as decimal strings into the account currency's minor units. **OFX** 1.x SGML or 2.x XML (`application/x-ofx`), FITID as external id. " +
    "**QIF** (`application/qif`): `!Type:Bank`/`CCard` records D, T/U, P, M, `^`. **CAMT.053** (`application/xml` or `application/vnd.iso20022.camt.053+xml`, .001.02 to .001.08): booked `Ntry` " +
    "with Amt/@Ccy, CdtDbtInd, BookgDt, AcctSvcrRef or NtryRef as external id, RmtInf/Ustrd or the counterparty's name as description; an entry in another currency than the account's is a row error. " +
    `Duplicates: an external_id already in the account; without one, rows match as a multiset on (date, amount, description) — a file's k identical rows import as many as the account lacks, so re-importing a file imports nothing. ` +
    `A file that is not its declared format is 422 with nothing imported; a bad row is in \`errors\` with its 1-based physical line (a CSV header is line 1) and the other rows are imported. ` +
    `A field longer than the ledger stores (description ${L.description}, counterparty ${L.counterparty}, notes ${L.notes}, external_id ${L.external_id}, category ${L.category} characters) makes its row an error.`,
  scope: "transactions:write",
  request: {
    params: accountParams,
    query: importQuery,
    headers: z.object({
      "idempotency-key": z
        .string()
        .max(255)
        .optional()
        .openapi({ description: "The same file and query under the same key: the first answer again, nothing imported twice" }),
    }),
    body: {
      required: true,
      content: {
        "text/csv": text,
        "application/x-ofx": text,
        "application/qif": text,
        "application/xml": text,
        "application/vnd.iso20022.camt.053+xml": text,
      },
    },
  },
  responses: {
    201: jsonResponse(importSchema, "What was (or, with dry_run, would be) imported, skipped and refused, with 1-based line numbers"),
  },
});

const BATCH = 500;
const MAX_ERRORS = 1000;
const MAX_BYTES = 10 * 1024 * 1024;

export function registerImports(app: OpenAPIHono<AppEnv<Env>>) {
  app.openapi(createImport, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const user = c.get("identity").sub;
    try {
      return await importStatement(c, id, query, user);
    } catch (e) {
      // Refused before its body was read (415, 404, a bad query): the body is let go, not left hanging.
      await c.req.raw.body?.cancel().catch(() => {});
      throw e;
    }
  });
}

type Query = z.infer<typeof importQuery>;

async function importStatement(c: Context<AppEnv<Env>>, id: string, query: Query, user: string) {
  const account = await ledger(c.env, id).balance(user);
  if (!account) throw notFound();
  if (account.status === "closed") throw new ApiError("account_closed", "The account is closed.");
  const format: Format | undefined = formatOf(c.req.header("content-type"));
  if (!format)
    throw new ApiError("unsupported_media_type", "Send text/csv, application/x-ofx, application/qif, or application/xml (CAMT.053).");
  if (query.header && !query.columns)
    throw new ApiError("validation_failed", "header applies with columns only.", {
      errors: [{ path: "header", message: "requires columns" }],
      status: 400,
    });
  const columns = query.columns?.split(",");
  if (columns) {
    const named = columns.filter((c) => c !== "-");
    const twice = named.find((c, i) => named.indexOf(c) !== i);
    const problem = twice
      ? `names ${twice} twice`
      : !named.includes("date")
        ? "must name a date column"
        : !named.includes("description")
          ? "must name a description column"
          : !named.some((c) => c === "amount" || c === "debit" || c === "credit")
            ? "must name an amount column (or debit and credit)"
            : named.includes("amount") && named.some((c) => c === "debit" || c === "credit")
              ? "names both amount and debit/credit"
              : undefined;
    if (problem)
      throw new ApiError("validation_failed", `columns ${problem}.`, { errors: [{ path: "columns", message: problem }], status: 400 });
  }
  const dryRun = query.dry_run === "true";
  const body = c.req.raw.body
    ? await readBody(c.req.raw.body, MAX_BYTES, () => new ApiError("payload_too_large", "Imports are limited to 10 MiB."))
    : [];
  const malformed = (message: string, path = "(body)") => new ApiError("validation_failed", message, { errors: [{ path, message }] });

  const reader = readerFor(format);
  const options = { currency: account.currency, date_format: query.date_format, columns, header: query.header === "true" };
  let rows: AsyncGenerator<ParsedRow>;
  try {
    if (!body.some((chunk) => chunk.byteLength)) throw new MalformedFile("The file is empty.");
    // First pass: the whole file is read and checked before anything is written, so a file that
    // is not its format changes nothing; the second pass imports it.
    rows = await reader(body, options);
  } catch (e) {
    if (e instanceof MalformedFile) throw malformed(e.message);
    if (e instanceof AmbiguousDates) throw malformed(e.message, "date_format");
    throw e;
  }

  // Claimed once the file reads as its format (a malformed one claims nothing: fix it, send it again).
  const idem = await idempotencyKey(c, { query: c.req.query(), file: fileDigest(body) });
  if (idem) {
    const seen = await ledger(c.env, id).beginImport(idem, user);
    if (seen) return outcomeResponse(c, seen, (o: { ok: true; import: ImportSummary }) => o.import);
  }

  const rules = dryRun ? [] : await userRules(c.env.DB, user);
  const own = new Set(
    (await c.env.DB.prepare("SELECT name FROM categories WHERE user_id = ?").bind(user).all<{ name: string }>()).results.map((r) => r.name),
  );
  const importId = newId("imp");
  const summary = { imported: 0, duplicates: 0, failed: 0, errors: [] as { line: number; message: string }[] };
  const failed = (line: number, message: string) => {
    summary.failed++;
    if (summary.errors.length < MAX_ERRORS) summary.errors.push({ line, message });
  };
  // Duplicates are the ledger object's to decide; rows without an external_id carry their rank among
  // the file's identical (date, amount, description) rows, which the object compares with the account.
  const ranks = new Map<string, number>();
  const dryIds = new Set<string>();
  let priorDelta = 0;
  /** A batch's rows checked, ranked and categorised, with the row errors found so far. */
  const prepare = async (batch: ParsedRow[]) => {
    const good: { line: number; input: EntryInput }[] = [];
    const occurrences: number[] = [];
    const refused: { line: number; message: string }[] = [];
    for (const r of batch) {
      if (!r.ok) refused.push(r);
      else if (r.row.category && !isCategoryCode(r.row.category) && !own.has(r.row.category))
        refused.push({ line: r.line, message: `unknown category "${r.row.category.slice(0, 64)}"` });
      else {
        const key = `${r.row.occurred_at}\u0000${r.row.amount}\u0000${r.row.description}`;
        const rank = r.row.external_id ? 1 : (ranks.get(key) ?? 0) + 1;
        if (!r.row.external_id) ranks.set(key, rank);
        occurrences.push(rank);
        const category = r.row.category ?? (dryRun ? undefined : ruleCategory(rules, r.row.description));
        good.push({ line: r.line, input: { ...r.row, category: category ?? "", import_id: importId } });
      }
    }
    if (!dryRun)
      await categorizeMissing(
        c.env,
        good.map((g) => g.input),
      );
    return { good, occurrences, refused };
  };
  const source = batches<ParsedRow>(rows, BATCH)[Symbol.asyncIterator]();
  const nextBatch = async () => {
    const n = await source.next();
    return n.done ? undefined : prepare(n.value);
  };
  // The next batch is read and categorised while the ledger object writes this one.
  let next = nextBatch();
  for (let batch = await next; batch; batch = await next) {
    next = nextBatch();
    next.catch(() => {});
    const { refused } = batch;
    let { good, occurrences } = batch;
    for (const r of refused) failed(r.line, r.message);
    if (dryRun) {
      // Nothing is written, so an id the dry run would import in an earlier batch is not in the
      // account yet: such a row is the duplicate the real import would find.
      const again = good.map((g) => !!g.input.external_id && dryIds.has(g.input.external_id));
      summary.duplicates += again.filter(Boolean).length;
      occurrences = occurrences.filter((_, i) => !again[i]);
      good = good.filter((_, i) => !again[i]);
    }
    const results: ImportRowResult[] = good.length
      ? await ledger(c.env, id).importRows(
          good.map((g) => g.input),
          user,
          { occurrences, dry_run: dryRun, prior_delta: priorDelta },
        )
      : [];
    results.forEach((r, i) => {
      if (r.status === "imported") {
        summary.imported++;
        priorDelta += good[i].input.amount;
        if (dryRun && good[i].input.external_id) dryIds.add(good[i].input.external_id);
      } else if (r.status === "duplicate") summary.duplicates++;
      else failed(good[i].line, r.message ?? "refused");
    });
  }
  summary.errors.sort((a, b) => a.line - b.line);
  if (!dryRun)
    await c.env.DB.prepare(
      "INSERT INTO imports (id, account_id, user_id, format, imported, duplicates, failed, errors) VALUES (?,?,?,?,?,?,?,?)",
    )
      .bind(importId, id, user, format, summary.imported, summary.duplicates, summary.failed, JSON.stringify(summary.errors))
      .run();
  const answer: ImportSummary = { id: importId, format, ...summary };
  if (idem) await ledger(c.env, id).finishImport(idem, answer, user);
  return c.json(answer, 201);
}

/** The file's SHA-256, for its Idempotency-Key's fingerprint. */
function fileDigest(chunks: Uint8Array[]): string {
  const hash = createHash("sha256");
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest("hex");
}

/** One model call per batch for the rows that neither the file nor a rule categorised. */
async function categorizeMissing(env: Env, inputs: EntryInput[]) {
  const missing = inputs.filter((i) => !i.category);
  const categories = await modelCategories(env, missing);
  missing.forEach((m, i) => (m.category = categories[i]));
}
