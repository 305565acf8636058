import { DurableObject } from "cloudflare:workers";
import { publishEvents, runStatements, type EventRecord, type EventsQueue, type Statement } from "#core";
import { GroupCommit } from "./group-commit";

interface ProjectorEnv {
  DB: D1Database;
  EVENTS?: EventsQueue;
}

/** One drain's batch: its rows (events' D1 inserts included) and the events to publish once D1 holds them. */
export interface ProjectionBatch {
  stmts: Statement[];
  events: EventRecord[];
}

/** The RPC method the account ledgers call (one object, `PROJECTOR_NAME`). */
export interface ProjectorRpc {
  project(batch: ProjectionBatch): Promise<void>;
}

export const PROJECTOR_NAME = "d1";

/**
 * An idle projector given a few statements waits 20 ms for more drains before it writes: under light
 * load each drain otherwise paid a D1 transaction and a queue send of its own (a lone client's payment:
 * two of each, ~11 → ~6–7 ms of the runtime's CPU per payment here); the lag grows by as much. A drain
 * of 100 statements or more (an import's) goes at once.
 */
const GATHER = { ms: 20, below: 100 };

/**
 * Writes batches' rows to D1 in one transaction, then publishes their events (only once D1 holds them,
 * so receivers never hear of a fact D1 does not have). Without the queue binding, as in the
 * simulation, D1 alone keeps the events.
 */
export async function writeProjection(env: ProjectorEnv, batches: ProjectionBatch[]): Promise<void> {
  const stmts = batches.flatMap((b) => b.stmts);
  await runStatements(env.DB, stmts);
  const events = batches.flatMap((b) => b.events);
  if (events.length && env.EVENTS) await publishEvents(env.EVENTS, events);
}

/**
 * Writes the ledgers' projection batches, many accounts' per D1 transaction and per queue send (group
 * commit, group-commit.ts): an account's outbox drain calls `project` after the answer and deletes its
 * rows once it resolves, so this object keeps nothing — should it fail or reset, each ledger sends its
 * rows again (upserts; events keep their ids). One object: every drain makes one hop to it instead of
 * its own D1 transaction and queue send, and D1 sees one writer instead of one per account.
 */
export class Projector extends DurableObject<ProjectorEnv> implements ProjectorRpc {
  private readonly group = new GroupCommit<ProjectionBatch>(
    (batches) => writeProjection(this.env, batches),
    (b) => b.stmts.length,
    500,
    GATHER,
  );

  async project(batch: ProjectionBatch): Promise<void> {
    if (batch.stmts.length || batch.events.length) await this.group.submit(batch);
  }
}
