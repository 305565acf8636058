import { createDomainApp, entrypoint, type CoreEnv } from "#core";
import { registerPayments } from "./routes/payments";

// USER_STATE: UserState objects (class in workers/users), where Idempotency-Keys are claimed per caller.
export type Env = CoreEnv & { DB: D1Database; LEDGER: DurableObjectNamespace; USER_STATE: DurableObjectNamespace };

export const app = createDomainApp<Env>("payments");
registerPayments(app);

export class PaymentsService extends entrypoint<Env>(app) {}
export default PaymentsService;
