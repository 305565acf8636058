import { DurableObject } from "cloudflare:workers";

export class AccountLedger extends DurableObject {}
