// The classifier's labels are core's taxonomy codes, in core's order (its output order: never reorder).
export { CATEGORY_CODES as CATEGORIES, isCategoryCode as isCategory, type CategoryCode as Category } from "#core/taxonomy";
