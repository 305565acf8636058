/**
 * `IN` over any number of ids with one bound parameter: `… WHERE id IN ${IN_IDS}` bound to `idList(ids)`
 * (a JSON array read by SQLite's json_each), so a whole batch's ids never meet D1's limit on bound
 * parameters per statement.
 */
export const IN_IDS = "(SELECT value FROM json_each(?))";
export const idList = (ids: readonly string[]) => JSON.stringify([...new Set(ids)]);
