import { type CoreEnv, createDomainApp, type EventsQueue, entrypoint } from "#core";
import { registerPayments } from "./routes/payments";
import { registerScheduledPayments } from "./routes/scheduled-payments";

export { ScheduledPayment } from "./scheduled-payment";

// USER_STATE: UserState objects (class in workers/users), where Idempotency-Keys are claimed per caller.
// SCHEDULES: one ScheduledPayment object per schedule (this worker's class). EVENTS: the events queue.
export type Env = CoreEnv & {
  DB: D1Database;
  LEDGER: DurableObjectNamespace;
  USER_STATE: DurableObjectNamespace;
  SCHEDULES: DurableObjectNamespace;
  EVENTS?: EventsQueue;
};

export const app = createDomainApp<Env>("payments");
registerPayments(app);
registerScheduledPayments(app);

export class PaymentsService extends entrypoint<Env>(app) {}
export default PaymentsService;
