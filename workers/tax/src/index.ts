import { createDomainApp, entrypoint, type Identity, type IncomeTaxRequest, type TaxRpc } from "#core";
import type { Env } from "./env";
import { registerIncomeTax } from "./routes/income-tax";
import { registerJurisdictions } from "./routes/jurisdictions";
import { registerReport } from "./routes/report";
import { registerVat } from "./routes/vat";
import { incomeTaxFor } from "./rpc";

export type { Env } from "./env";

export const app = createDomainApp<Env>("tax");

registerJurisdictions(app);
registerIncomeTax(app);
registerVat(app);
registerReport(app);

/** The tax worker: its HTTP routes (through the gateway) and its RPC methods (other workers). */
export class TaxService extends entrypoint<Env>(app) implements TaxRpc {
  async incomeTax(request: IncomeTaxRequest, caller: Identity) {
    return incomeTaxFor(request, caller);
  }

  async incomeTaxMany(requests: IncomeTaxRequest[], caller: Identity) {
    return requests.map((r) => incomeTaxFor(r, caller));
  }
}
export default TaxService;
