// Contracts of the calls a worker makes to another through a service binding: named methods of the
// callee's WorkerEntrypoint class (RPC), typed here as plain interfaces so the caller imports no domain.
// HTTP over a service binding is left to the gateway, which forwards clients' requests.
import { ApiError, type ErrorCode, type FieldError } from "./errors";
import type { Identity } from "./identity";
import type { CategoryCode } from "./taxonomy";

/** A refusal across RPC: what the callee's endpoint would have answered as problem+json. */
export interface RpcFailure {
  ok: false;
  code: ErrorCode;
  status: number;
  detail: string;
  errors?: FieldError[];
}
export type RpcResult<T> = { ok: true; value: T } | RpcFailure;

/** The callee's side: an ApiError as a failure (errors thrown across RPC keep only their message). */
export function rpcFailure(err: ApiError): RpcFailure {
  return { ok: false, code: err.code, status: err.status, detail: err.message, ...(err.errors?.length ? { errors: err.errors } : {}) };
}

/** The caller's side: the value, or the callee's refusal thrown as the same problem. */
export function rpcValue<T>(result: RpcResult<T>): T {
  if (!result.ok) throw new ApiError(result.code, result.detail, { errors: result.errors, status: result.status });
  return result.value;
}

// ── tax worker ────────────────────────────────────────────────────────────────

/** The body of POST /v1/tax/income-tax as a caller sends it; the tax worker validates it as that endpoint does. */
export interface IncomeTaxRequest {
  jurisdiction: string;
  income_year: number;
  filing_status: string;
  dependents?: number;
  /** Exactly one of the two, in minor units. */
  income: { salaries?: number[]; taxable_income?: number };
}

export interface BracketLine {
  /** Lower and upper bound of the bracket for this household (FR: per-part threshold × parts); `to` null for the top. */
  from: number;
  to: number | null;
  rate: number; // e.g. 0.11
  taxable: number; // part of the taxable income falling in the bracket
  tax: number;
}

/** The answer of POST /v1/tax/income-tax. All amounts are integer minor units (cents); rates and parts are plain numbers. */
export interface IncomeTaxResult {
  jurisdiction: string;
  income_year: number;
  currency: string;
  gross_income: number;
  taxable_income: number;
  /** FR only: parts of the family quotient (e.g. 2.5). */
  parts?: number;
  /** FR: tax from the scale after the family-quotient ceiling, before décote. US: tax from the rate schedule. */
  tax_before_credits: number;
  /** FR only: décote, never more than tax_before_credits. */
  decote?: number;
  /** Amount finally owed. FR: rounded to the euro, 0 below the 61 € collection threshold. */
  tax: number;
  effective_rate: number; // tax / gross_income
  marginal_rate: number; // rate of the top bracket reached by the computation that set the tax
  brackets: BracketLine[];
  sources: string[];
}

/**
 * The tax worker's entrypoint (TaxService). Each answer is exactly POST /v1/tax/income-tax's for that
 * body, computed for `caller` (who needs the tax:read scope, as at the endpoint), refusals included.
 */
export interface TaxRpc {
  incomeTax(request: IncomeTaxRequest, caller: Identity): Promise<RpcResult<IncomeTaxResult>>;
  /** Many households at once (one call, answers in order): the optimiser's candidates. */
  incomeTaxMany(requests: IncomeTaxRequest[], caller: Identity): Promise<RpcResult<IncomeTaxResult>[]>;
}

// ── ai worker ─────────────────────────────────────────────────────────────────

export interface CategorizeLine {
  description: string;
  amount: number; // minor units
  counterparty?: string | null;
}

export interface Categorization {
  category: CategoryCode;
  confidence: number; // 0–1
  source: "rule" | "model" | "workers_ai";
}

/** Most lines one categorize call takes (as POST /v1/ai/categorize). */
export const MAX_CATEGORIZE_LINES = 500;

/** The ai worker's entrypoint (AiService). */
export interface AiRpc {
  /**
   * The taxonomy category of each line, in order: the built-in rules, then Workers AI where bound, else
   * the bundled model (the caller's own rules are the caller's business). At most MAX_CATEGORIZE_LINES.
   */
  categorize(lines: CategorizeLine[]): Promise<Categorization[]>;
  /**
   * How unusual each recorded transaction is against its account's history (the D1 projection, which
   * holds it once its event is published): for `anomaly.detected`. In the order asked, at most
   * MAX_SCORED_TRANSACTIONS; null for one that is not the user's or whose history is too short to judge.
   */
  scoreTransactions(inputs: ScoreTransactionInput[]): Promise<(TransactionScore | null)[]>;
}

/** Transactions per scoreTransactions call (a queue batch holds at most 100 events). */
export const MAX_SCORED_TRANSACTIONS = 500;

export interface ScoreTransactionInput {
  user_id: string;
  account_id: string;
  transaction_id: string;
}

export interface TransactionScore {
  transaction_id: string;
  /** Same scale as GET /v1/ai/anomalies. */
  score: number;
  reason: string;
  /** Whether the score is high enough to tell the user (the anomalies list's own threshold). */
  anomalous: boolean;
}
