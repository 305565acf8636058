import type { Context } from "hono";

/** The stable machine codes of problem responses (clients branch on them; never rename one), with the HTTP status each one normally carries. */
export const ERROR_CODES = {
  validation_failed: { status: 422, title: "Validation failed" },
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  insufficient_funds: { status: 422, title: "Insufficient funds" },
  currency_mismatch: { status: 422, title: "Currency mismatch" },
  account_closed: { status: 422, title: "Account closed" },
  idempotency_key_reused: { status: 422, title: "Idempotency key reused" },
  idempotency_request_in_progress: { status: 409, title: "Idempotency request in progress" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  rate_limited: { status: 429, title: "Too many requests" },
  service_unavailable: { status: 503, title: "Service unavailable" },
  internal: { status: 500, title: "Internal error" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export interface FieldError {
  path: string;
  message: string;
}

/** Thrown anywhere in a handler; the app's error handler renders it as problem+json. */
/** What an ApiError may carry besides its code and detail. */
export interface ApiErrorOptions {
  /** Field-level errors (`errors[]` of the problem body). */
  errors?: FieldError[];
  /** Overrides the code's usual status (e.g. 400 rather than 422 for a bad query). */
  status?: number;
  /** Extra response headers (`Retry-After`, `WWW-Authenticate`, …). */
  headers?: Record<string, string>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    options: ApiErrorOptions = {},
  ) {
    super(detail ?? ERROR_CODES[code].title);
    this.status = options.status ?? ERROR_CODES[code].status;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  request_id: string;
  errors?: FieldError[];
}

export function problemBody(code: ErrorCode, detail: string, requestId: string, status?: number, errors?: FieldError[]): Problem {
  const body: Problem = {
    type: `https://errors.edge-finance.dev/${code}`,
    title: ERROR_CODES[code].title,
    status: status ?? ERROR_CODES[code].status,
    detail,
    code,
    request_id: requestId,
  };
  if (errors?.length) body.errors = errors;
  return body;
}

export function problemResponse(c: Context, err: ApiError): Response {
  const body = problemBody(err.code, err.message, c.get("requestId") ?? "", err.status, err.errors);
  return new Response(JSON.stringify(body), {
    status: err.status,
    headers: { "content-type": "application/problem+json", ...err.headers },
  });
}
