import { createDomainApp, entrypoint } from "../../core/src";
import type { Env } from "./env";
import { registerIncomeTax } from "./routes/income-tax";
import { registerJurisdictions } from "./routes/jurisdictions";
import { registerReport } from "./routes/report";
import { registerVat } from "./routes/vat";

export type { Env } from "./env";

export const app = createDomainApp<Env>("tax");

registerJurisdictions(app);
registerIncomeTax(app);
registerVat(app);
registerReport(app);

export class TaxService extends entrypoint<Env>(app) {}
export default TaxService;
