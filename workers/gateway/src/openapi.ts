import type { OpenAPIHono } from "@hono/zod-openapi";
import { SERVICE_BINDINGS, type ServiceBinding } from "./routing";

type Doc = { paths?: Record<string, unknown>; components?: { schemas?: Record<string, unknown> }; tags?: { name: string }[] };

/**
 * One OpenAPI 3.1 document: the gateway's own routes plus every domain worker's generated document,
 * fetched over the service bindings and merged (paths and component schemas). Cached per isolate.
 * Plain HTTP on purpose (as /ready's /health and /metrics' /internal/metrics): each is the worker's own
 * HTTP document, served by its app, so no worker needs an RPC method to expose it.
 */
let cached: Doc | undefined;

export async function mergedDocument(gateway: OpenAPIHono<any>, env: Record<ServiceBinding, Fetcher>, servers: string) {
  if (cached) return cached;
  const doc: Doc = gateway.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Edge Finance API",
      version: "1.0.0",
      description:
        "Accounts, transactions, payments, budgets, tax and predictions. Money is integer minor units; errors are RFC 9457 problem+json.",
      license: { name: "MIT", url: "https://opensource.org/license/mit" },
    },
    servers: [{ url: servers }],
  });
  doc.paths ??= {};
  const schemas: Record<string, unknown> = { ...(doc.components?.schemas ?? {}) };
  // A worker that does not answer leaves its paths out (and the document uncached) rather than failing it.
  let complete = true;
  const parts = await Promise.all(
    SERVICE_BINDINGS.map(async (b) => {
      try {
        const res = await env[b].fetch("https://internal/openapi.json");
        if (res.ok) return (await res.json()) as Doc;
      } catch {}
      complete = false;
      return {} as Doc;
    }),
  );
  for (const part of parts) {
    Object.assign(doc.paths, part.paths);
    Object.assign(schemas, part.components?.schemas);
  }
  doc.components = {
    ...doc.components,
    schemas,
    securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
  } as Doc["components"];
  if (complete) cached = doc;
  return doc;
}
