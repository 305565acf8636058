import { createDomainApp, entrypoint, type CoreEnv } from "../../core/src";

export type Env = CoreEnv & { DB: D1Database };

export const app = createDomainApp<Env>("transactions");

export class TransactionsService extends entrypoint<Env>(app) {}
export default TransactionsService;
export { AccountLedger } from "./ledger/account-ledger";
