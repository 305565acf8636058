/** The fixed category codes (the taxonomy of core's taxonomy.ts). The order is the classifier's output order: never reorder. */
export const CATEGORIES = [
  'income', 'housing', 'utilities', 'groceries', 'dining', 'transport', 'travel', 'shopping',
  'entertainment', 'subscriptions', 'health', 'insurance', 'education', 'taxes', 'fees',
  'transfers', 'savings', 'charity', 'other',
] as const;

export type Category = (typeof CATEGORIES)[number];

export function isCategory(s: string): s is Category {
  return (CATEGORIES as readonly string[]).includes(s);
}
