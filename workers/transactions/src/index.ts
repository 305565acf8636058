import { MiB, createDomainApp, entrypoint } from "#core";
import type { Env } from "./env";
import { registerBalance } from "./routes/balance";
import { registerImports } from "./routes/imports";
import { registerTransactions } from "./routes/transactions";

export type { Env };

/** Statements may be 10 MiB; everything else 1 MiB. */
export const app = createDomainApp<Env>("transactions", {
  maxBody: (c) => (/\/imports\/?$/.test(new URL(c.req.url).pathname) ? 10 * MiB : MiB),
});
registerTransactions(app);
registerImports(app);
registerBalance(app);

export class TransactionsService extends entrypoint<Env>(app) {}
export default TransactionsService;
export { AccountLedger } from "./ledger/account-ledger";
export { Projector } from "./ledger/projector";
