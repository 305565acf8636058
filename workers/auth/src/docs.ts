import { problemSchema } from "../../core/src";

/** An RFC 9457 problem response, for the OpenAPI document. */
export const problemDoc = (description: string) => ({ description, content: { "application/problem+json": { schema: problemSchema } } });
