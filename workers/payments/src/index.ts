import { createDomainApp, entrypoint, type CoreEnv } from "../../core/src";
import { registerPayments } from "./routes/payments";

export type Env = CoreEnv & { DB: D1Database; LEDGER: DurableObjectNamespace };

export const app = createDomainApp<Env>("payments");
registerPayments(app);

export class PaymentsService extends entrypoint<Env>(app) {}
export default PaymentsService;
