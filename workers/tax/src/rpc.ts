// The tax worker's RPC methods (TaxRpc in core): the income-tax endpoint's answer for other workers,
// with the same checks in the same order (scope, request schema, the engine's rules) and the same refusals.
import { ApiError, checkScope, fieldErrors, rpcFailure, type Identity, type IncomeTaxResult, type RpcResult } from "#core";
import { computeIncomeTax } from "./domain";
import { engineFailure, incomeTaxRequestSchema } from "./routes/schemas";

/** POST /v1/tax/income-tax for `body`, on behalf of `caller`: the result, or the problem that endpoint answers. */
export function incomeTaxFor(body: unknown, caller: Identity): RpcResult<IncomeTaxResult> {
  try {
    checkScope(caller, "tax:read");
    const parsed = incomeTaxRequestSchema.safeParse(body);
    if (!parsed.success)
      throw new ApiError("validation_failed", "The request body is not valid.", { errors: fieldErrors(parsed.error), status: 422 });
    const result = computeIncomeTax(parsed.data);
    if (!result.ok) throw engineFailure(result.errors);
    return { ok: true, value: result.value };
  } catch (err) {
    if (err instanceof ApiError) return rpcFailure(err);
    throw err;
  }
}
