// The whole platform inside one test worker (workers-sdk#14945): the gateway is the default export and
// every domain worker is a named entrypoint that the gateway's service bindings point at (wrangler.toml
// beside this file). Production deploys the same classes as separate workers.
export { default } from "../workers/gateway/src/index";
export { AuthService } from "../workers/auth/src/index";
export { UsersService } from "../workers/users/src/index";
export { FinanceService } from "../workers/finance/src/index";
export { TransactionsService } from "../workers/transactions/src/index";
export { PaymentsService } from "../workers/payments/src/index";
export { TaxService } from "../workers/tax/src/index";
export { AiService } from "../workers/ai/src/index";
export { LoginThrottle } from "../workers/auth/src/index";
export { AccountLedger } from "../workers/transactions/src/index";
