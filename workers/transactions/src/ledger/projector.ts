import { DurableObject } from "cloudflare:workers";
import { GroupCommit } from "./group-commit";
import type { Statement } from "./projection";

interface ProjectorEnv {
  DB: D1Database;
}

/** The RPC method the account ledgers call (one object, `PROJECTOR_NAME`). */
export interface ProjectorRpc {
  project(stmts: Statement[]): Promise<void>;
}

export const PROJECTOR_NAME = "d1";

/**
 * Writes the ledgers' projection batches to D1, many accounts' batches per D1 transaction (group
 * commit, group-commit.ts): an account's outbox drain calls `project` after the answer and deletes its
 * rows once it resolves, so this object keeps nothing — should it fail or reset, each ledger sends its
 * rows again (they are upserts). One object placed near the database: every ledger makes one hop to it
 * instead of its own D1 transaction, and D1 sees one writer at a time instead of one per account.
 */
export class Projector extends DurableObject<ProjectorEnv> implements ProjectorRpc {
  private readonly group = new GroupCommit<Statement>(async (stmts) => {
    await this.env.DB.batch(stmts.map(({ sql, params }) => this.env.DB.prepare(sql).bind(...params)));
  });

  async project(stmts: Statement[]): Promise<void> {
    if (stmts.length) await this.group.submit(stmts);
  }
}
