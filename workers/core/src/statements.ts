/** One D1 statement as data: what an object's outbox stores and a drain sends. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** Runs the statements in one D1 batch (one implicit transaction); none is nothing to do. */
export async function runStatements(db: D1Database, stmts: readonly Statement[]): Promise<void> {
  if (stmts.length) await db.batch(stmts.map(({ sql, params }) => db.prepare(sql).bind(...params)));
}
