import { domainApp, entrypoint } from "#core";
import type { Env } from "./env";
import { registerAccounts } from "./routes/accounts";
import { registerBudgets } from "./routes/budgets";
import { registerCategories } from "./routes/categories";
import { registerReports } from "./routes/reports";

export type { Env } from "./env";

export const app = domainApp<Env>("finance", [registerAccounts, registerCategories, registerBudgets, registerReports]);

export class FinanceService extends entrypoint<Env>(app) {}
export default FinanceService;
