import { MAX_AMOUNT, MAX_CATEGORIZE_LINES, defineRoute, jsonBody, jsonResponse, log, ruleCategory, userRules, z } from "#core";
import { categorizeAll, workersAiEmbedder } from "../categorizer";
import { CATEGORIES, type CategorizeInput, type Categorization } from "../domain/categorize";
import type { AiApp, Env } from "../env";
import type { Ctx } from "./shared";

export const MAX_LINES = MAX_CATEGORIZE_LINES;

const lineSchema = z.strictObject({
  description: z.string().min(1).max(500).openapi({ example: "CB CARREFOUR MARKET 12/03 PARIS" }),
  amount: z.number().int("must be an integer amount in minor units").min(-MAX_AMOUNT).max(MAX_AMOUNT).openapi({ example: -4250 }),
  counterparty: z.string().max(200).nullish().openapi({ example: "Carrefour" }),
});

const requestSchema = z
  .strictObject({
    transactions: z.array(lineSchema).min(1, "at least one transaction").max(MAX_LINES, `at most ${MAX_LINES} transactions`),
  })
  .openapi("CategorizeRequest");

const answerSchema = z.object({
  category: z.enum(CATEGORIES).openapi({ example: "groceries" }),
  confidence: z.number().min(0).max(1).openapi({ example: 0.93 }),
  source: z.enum(["rule", "model", "workers_ai"]),
});
const responseSchema = z.object({ data: z.array(answerSchema) }).openapi("CategorizeResult");

export const categorizeRoute = defineRoute({
  method: "post",
  path: "/v1/ai/categorize",
  tags: ["ai"],
  summary: "Categorise up to 500 bank-statement lines into the fixed taxonomy",
  description:
    "Your own rules (`description contains` → category) first, then built-in rules, then Workers AI embeddings (nearest centroid) where bound, " +
    "else the tfjs classifier over character/word n-grams and the amount; `other` below the confidence threshold. Answers follow the input order.",
  scope: "ai:read",
  request: jsonBody(requestSchema, "1 to 500 lines"),
  responses: { 200: jsonResponse(responseSchema, "One answer per line, in order") },
});

/**
 * The built-in rules, then Workers AI embeddings where bound, else the tfjs model: the route's answer
 * for lines the caller's own rules leave, and AiRpc.categorize's (the ledger's categoriser).
 */
export function categorizeLines(env: Env, items: readonly CategorizeInput[], requestId?: string): Promise<Categorization[]> {
  return categorizeAll(items, {
    embedder: env.AI ? workersAiEmbedder(env.AI) : undefined,
    onFallback: (err) =>
      log("warn", { request_id: requestId, worker: "ai", message: "Workers AI failed; tfjs model answered", error: String(err) }),
  });
}

/**
 * The caller's own rules, as the ledger applies them; the answers are taxonomy codes, so a rule naming
 * one of the caller's own categories answers with that category's parent.
 */
async function ownRules(c: Ctx, items: { description: string }[]): Promise<(string | null)[]> {
  const rules = await userRules(c.env.DB, c.get("identity").sub, { taxonomy: true });
  return items.map((it) => ruleCategory(rules, it.description) ?? null);
}

export function registerCategorize(app: AiApp) {
  app.openapi(categorizeRoute, async (c) => {
    const { transactions } = c.req.valid("json");
    const ruled = await ownRules(c, transactions);
    const todo = transactions.filter((_, i) => !ruled[i]);
    const answers = await categorizeLines(c.env, todo, c.get("requestId"));
    let j = 0;
    const data = transactions.map((_, i): Categorization => {
      const own = ruled[i];
      if (own)
        return {
          category: (CATEGORIES as readonly string[]).includes(own) ? (own as Categorization["category"]) : "other",
          confidence: 1,
          source: "rule",
        };
      return answers[j++]!;
    });
    return c.json({ data }, 200);
  });
}
