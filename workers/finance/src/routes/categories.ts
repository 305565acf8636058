import { and, eq, sql } from "drizzle-orm";
import { categories, categoryRules } from "../../../../db/schema";
import { ApiError, CATEGORY_CODES, isUniqueViolation, keyset, newId, page, z, createItemRoute, getRoute, resourceRoutes } from "#core";
import type { FinanceApp } from "../env";
import { categoryRefSchema, db, idParam, nameSchema, requireCategory, userId } from "./shared";

/** Display names of the fixed taxonomy. */
export const TAXONOMY = CATEGORY_CODES.map((code) => ({ code, name: code[0].toUpperCase() + code.slice(1), parent: null }));

const categorySchema = z
  .object({
    code: z.string().openapi({
      example: "groceries",
      description: "What transactions, rules and budgets use: a taxonomy code, or the name of your own category",
    }),
    id: z.string().nullable().openapi({ description: "`cat_…` for your own categories; null for the taxonomy" }),
    name: z.string().openapi({ example: "Groceries" }),
    parent: z
      .string()
      .nullable()
      .openapi({ description: "null for the fixed taxonomy; the taxonomy code your own category belongs under" }),
    custom: z.boolean().openapi({ description: "true for a category you created" }),
    created_at: z.string().nullable(),
  })
  .openapi("Category");

const createCategorySchema = z
  .strictObject({
    name: nameSchema(64).openapi({ example: "Coffee shops" }),
    parent: z.enum(CATEGORY_CODES).openapi({ example: "dining", description: "A taxonomy code" }),
  })
  .openapi("CategoryCreate");

const ruleSchema = z
  .object({
    id: z.string().openapi({ example: "rul_01jz3k5m7q8r9s0t1v2w3x4y5z" }),
    contains: z.string().openapi({ example: "carrefour", description: "Lower-cased substring matched against the description" }),
    category: z.string().openapi({ example: "groceries" }),
    created_at: z.string(),
  })
  .openapi("CategoryRule");

const createRuleSchema = z
  .strictObject({
    contains: nameSchema(100).openapi({
      example: "Carrefour",
      description: "Case-insensitive substring of the transaction description; stored lower-cased",
    }),
    category: categoryRefSchema,
  })
  .openapi("CategoryRuleCreate");

const conflict = "Duplicate";
const tags = ["categories"];

export const listCategoriesRoute = getRoute({
  path: "/v1/categories",
  tags,
  summary: "The fixed taxonomy followed by your own categories",
  scope: "transactions:read",
  item: { schema: z.object({ data: z.array(categorySchema) }), description: "Every category you can use" },
});

export const createCategoryRoute = createItemRoute({
  path: "/v1/categories",
  tags,
  summary: "Create your own category under a taxonomy code",
  description: "Names are unique per user, case-insensitively, and may not repeat a taxonomy code or name (→ 409).",
  scope: "transactions:write",
  body: { schema: createCategorySchema, description: "The new category" },
  item: { schema: categorySchema, description: "The category" },
  conflict,
});

const rule = resourceRoutes({
  path: "/v1/categories/rules",
  tags,
  params: idParam("rul", "01jz3k5m7q8r9s0t1v2w3x4y5z"),
  item: ruleSchema,
  read: "transactions:read",
  write: "transactions:write",
});

export const listRulesRoute = rule.list({
  summary: "Your categorisation rules, newest first",
  description:
    "A transaction recorded without a category takes the category of a matching rule (description contains `contains`, case-insensitive).",
  page: { name: "CategoryRulePage", description: "One page of rules" },
});

export const createRuleRoute = rule.create({
  summary: "Add a rule: description contains → category",
  description: "The same `contains` twice (case-insensitively) → 409.",
  body: { schema: createRuleSchema, description: "The rule" },
  answer: "The rule",
  conflict,
});

export const deleteRuleRoute = rule.delete({ summary: "Delete a rule" });

const RESERVED = new Set(TAXONOMY.flatMap((t) => [t.code, t.name.toLowerCase()]));

export function registerCategories(app: FinanceApp) {
  app.openapi(listCategoriesRoute, async (c) => {
    const own = await db(c)
      .select()
      .from(categories)
      .where(eq(categories.userId, userId(c)))
      .orderBy(categories.parent, categories.name)
      .limit(1000);
    return c.json(
      {
        data: [
          ...TAXONOMY.map((t) => ({ ...t, id: null, custom: false, created_at: null })),
          ...own.map((r) => ({ code: r.name, id: r.id, name: r.name, parent: r.parent, custom: true, created_at: r.createdAt })),
        ],
      },
      200,
    );
  });

  app.openapi(createCategoryRoute, async (c) => {
    const { name, parent } = c.req.valid("json");
    const uid = userId(c);
    const duplicate = () => new ApiError("conflict", `A category named "${name}" already exists.`);
    if (RESERVED.has(name.toLowerCase())) throw duplicate();
    const clash = await db(c)
      .select({ id: categories.id })
      .from(categories)
      .where(and(eq(categories.userId, uid), sql`lower(${categories.name}) = lower(${name})`))
      .get();
    if (clash) throw duplicate();
    const row = { id: newId("cat"), userId: uid, name, parent, createdAt: new Date().toISOString() };
    try {
      await db(c).insert(categories).values(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw duplicate();
      throw e;
    }
    return c.json({ code: name, id: row.id, name, parent, custom: true, created_at: row.createdAt }, 201);
  });

  app.openapi(listRulesRoute, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const k = keyset(categoryRules.createdAt, categoryRules.id, cursor);
    const rows = await db(c)
      .select()
      .from(categoryRules)
      .where(and(eq(categoryRules.userId, userId(c)), k.after))
      .orderBy(...k.order)
      .limit(limit + 1);
    const { data, next_cursor } = page(rows, limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json(
      { data: data.map((r) => ({ id: r.id, contains: r.contains, category: r.category, created_at: r.createdAt })), next_cursor },
      200,
    );
  });

  app.openapi(createRuleRoute, async (c) => {
    const body = c.req.valid("json");
    const uid = userId(c);
    await requireCategory(c, body.category);
    const contains = body.contains.toLowerCase();
    const clash = await db(c)
      .select({ id: categoryRules.id })
      .from(categoryRules)
      .where(and(eq(categoryRules.userId, uid), eq(categoryRules.contains, contains)))
      .get();
    if (clash) throw new ApiError("conflict", `A rule for "${contains}" already exists.`);
    const row = { id: newId("rul"), userId: uid, contains, category: body.category, createdAt: new Date().toISOString() };
    await db(c).insert(categoryRules).values(row);
    return c.json({ id: row.id, contains, category: row.category, created_at: row.createdAt }, 201);
  });

  app.openapi(deleteRuleRoute, async (c) => {
    const { id } = c.req.valid("param");
    const gone = await db(c)
      .delete(categoryRules)
      .where(and(eq(categoryRules.id, id), eq(categoryRules.userId, userId(c))))
      .returning({ id: categoryRules.id });
    if (!gone.length) throw new ApiError("not_found", "No such rule.");
    return c.body(null, 204);
  });
}
