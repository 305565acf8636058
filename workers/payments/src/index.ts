import { type CoreEnv, createDomainApp, entrypoint } from "#core";
import type { PaymentsWorkerEnv } from "../worker-configuration";
import { registerPayments } from "./routes/payments";
import { registerScheduledPayments } from "./routes/scheduled-payments";

export { ScheduledPayment } from "./scheduled-payment";

// The bindings as workers/payments/wrangler.toml declares them (`npm run types`): LEDGER (AccountLedger
// objects of the transactions worker), USER_STATE (UserState objects, where Idempotency-Keys are
// claimed per caller), SCHEDULES (this worker's ScheduledPayment objects), EVENTS (the events queue).
export type Env = CoreEnv & PaymentsWorkerEnv;

export const app = createDomainApp<Env>("payments");
registerPayments(app);
registerScheduledPayments(app);

export class PaymentsService extends entrypoint<Env>(app) {}
export default PaymentsService;
