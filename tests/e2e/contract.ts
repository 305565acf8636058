// The served /openapi.json as a contract: every exchange the e2e suite makes through helpers.ts's
// call() is checked against it with a JSON Schema 2020-12 validator in unicode mode (Ajv), as a client
// that validates with the document (a form, a gateway, a fuzzer) would.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { Exchange } from "./helpers";

// ajv-formats is CommonJS: its default export arrives wrapped or not depending on the loader.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as typeof addFormatsModule;

type Schema = Record<string, any>;
type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
export type OpenApiDocument = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

/**
 * Known differences between the document and what the workers answer, each to be fixed where `why`
 * says: an entry silences exactly one message for one operation and status. Delete an entry with its fix.
 */
export const KNOWN_MISMATCHES: { operation: string; status: number; message: string; why: string }[] = [];

const COMPONENTS = "urn:ef:components";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/** OpenAPI's own keywords inside schemas, which JSON Schema validators do not know. */
const OPENAPI_KEYWORDS = ["example", "discriminator", "xml", "externalDocs"];

/** A strict Ajv for 2020-12 in unicode mode (`pattern` compiles with the `u` flag), with the document's components. */
export function schemaValidator(doc: OpenApiDocument, options: { coerceTypes?: "array" } = {}) {
  const ajv = new Ajv2020({ strict: true, allErrors: true, unicodeRegExp: true, ...options });
  addFormats(ajv);
  ajv.addVocabulary(OPENAPI_KEYWORDS);
  ajv.addSchema({ $id: COMPONENTS, $defs: localRefs(doc.components?.schemas ?? {}) });
  const cache = new Map<Schema, ValidateFunction>();
  return (schema: Schema): ValidateFunction => {
    let validate = cache.get(schema);
    if (!validate) cache.set(schema, (validate = ajv.compile(localRefs(schema))));
    return validate;
  };
}

/** `#/components/schemas/X` → the components schema registered with Ajv. */
function localRefs<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS}#/$defs/`));
}

const mediaType = (contentType: string | null | undefined) => (contentType ?? "").split(";")[0]!.trim().toLowerCase();
const isJson = (type: string) => type === "application/json" || type.endsWith("+json");
const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? [])
    .map(
      (e) =>
        `${e.instancePath || "/"} ${e.message}${e.params && "allowedValues" in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ""}`,
    )
    .join("; ");

/** The document's operations, a literal path before a templated one (`/v1/categories/rules` before `/{id}`). */
function operations(doc: OpenApiDocument) {
  const list: { method: string; template: string; regex: RegExp; names: string[]; op: Operation }[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const source = template
      .split(/\{[^}]+\}/)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("([^/]+)");
    for (const method of Object.keys(item).filter((m) => METHODS.includes(m)))
      list.push({ method, template, regex: new RegExp(`^${source}$`), names, op: item[method]! });
  }
  return list.sort((a, b) => a.names.length - b.names.length);
}

/** Checks exchanges against one document; `check` answers the exchange's mismatches (empty when it conforms). */
export function contract(doc: OpenApiDocument) {
  const schemaFor = schemaValidator(doc);
  const paramFor = schemaValidator(doc, { coerceTypes: "array" });
  const ops = operations(doc);
  const problem = doc.components?.schemas?.Problem;
  if (!problem) throw new Error("the document has no Problem schema");

  function check(ex: Exchange): string[] {
    const url = new URL(ex.url);
    const method = ex.method.toLowerCase();
    if (url.pathname === "/openapi.json" || url.pathname === "/docs" || url.pathname.startsWith("/docs/")) return [];
    const label = `${ex.method.toUpperCase()} ${url.pathname} → ${ex.status}`;
    const out: string[] = [];
    const responseType = mediaType(ex.responseHeaders.get("content-type"));
    // Whatever the route, a problem answer has the documented Problem shape.
    if (responseType === "application/problem+json") {
      const validate = schemaFor({ $ref: "#/components/schemas/Problem" });
      if (!validate(ex.body)) out.push(`problem+json body does not match Problem: ${describe(validate.errors)}`);
    }
    const found = ops.find((o) => o.method === method && o.regex.test(url.pathname));
    if (found) {
      const name = `${method.toUpperCase()} ${found.template}`;
      out.push(...checkResponse(found.op, ex, responseType));
      // A request the workers accepted must be one the document accepts.
      if (ex.status >= 200 && ex.status < 300) out.push(...checkRequest(found, ex, url));
      return out
        .filter((m) => !KNOWN_MISMATCHES.some((k) => k.operation === name && k.status === ex.status && m.includes(k.message)))
        .map((m) => `${label} (${name}): ${m}`);
    }
    return out.map((m) => `${label}: ${m}`);
  }

  function checkResponse(op: Operation, ex: Exchange, type: string): string[] {
    const responses = op.responses ?? {};
    const documented = responses[String(ex.status)] ?? responses[`${String(ex.status)[0]}XX`] ?? responses.default;
    if (!documented) return [`status ${ex.status} is not documented (documented: ${Object.keys(responses).join(", ")})`];
    if (ex.method.toUpperCase() === "HEAD" || ex.text === "") return [];
    const content = documented.content ?? {};
    const media = content[type];
    if (!media)
      return [
        `response content type "${type}" is not documented for ${ex.status} (documented: ${Object.keys(content).join(", ") || "no body"})`,
      ];
    if (!isJson(type) || !media.schema) return [];
    const validate = schemaFor(media.schema);
    return validate(ex.body) ? [] : [`response body does not match the documented schema: ${describe(validate.errors)}`];
  }

  function checkRequest(found: (typeof ops)[number], ex: Exchange, url: URL): string[] {
    const out: string[] = [];
    const values = found.regex.exec(url.pathname)!.slice(1).map(decodeURIComponent);
    for (const p of found.op.parameters ?? []) {
      const raw =
        p.in === "path"
          ? values[found.names.indexOf(p.name)]
          : p.in === "query"
            ? url.searchParams.has(p.name)
              ? url.searchParams.get(p.name)!
              : undefined
            : p.in === "header"
              ? (ex.requestHeaders.get(p.name) ?? undefined)
              : undefined;
      if (raw === undefined) {
        if (p.required) out.push(`required ${p.in} parameter "${p.name}" was not sent`);
        continue;
      }
      if (!p.schema) continue;
      const holder = { value: raw as unknown };
      const validate = paramFor({ type: "object", properties: { value: p.schema } });
      if (!validate(holder)) out.push(`${p.in} parameter "${p.name}"=${JSON.stringify(raw)} does not match: ${describe(validate.errors)}`);
    }
    const body = found.op.requestBody;
    const type = mediaType(ex.requestHeaders.get("content-type"));
    if (ex.requestBody === undefined || ex.requestBody === null) {
      if (body?.required) out.push("the required request body was not sent");
      return out;
    }
    if (!body) return [...out, "a request body was sent where none is documented"];
    const media = body.content?.[type];
    if (!media)
      return [...out, `request content type "${type}" is not documented (documented: ${Object.keys(body.content ?? {}).join(", ")})`];
    if (!media.schema) return out;
    let value: unknown;
    let validate: ValidateFunction;
    if (isJson(type)) {
      value = typeof ex.requestBody === "string" ? JSON.parse(ex.requestBody) : ex.requestBody;
      validate = schemaFor(media.schema);
    } else if (type === "application/x-www-form-urlencoded") {
      value = Object.fromEntries(new URLSearchParams(String(ex.requestBody)));
      validate = paramFor(media.schema);
    } else return out; // statements (CSV, OFX) are text the import route parses line by line
    if (!validate(value)) out.push(`request body does not match the documented schema: ${describe(validate.errors)}`);
    return out;
  }

  return { check };
}

/** Every `pattern` in the document, with the schema's example(s) and where it sits. */
export function patterns(doc: unknown) {
  const found: { at: string; pattern: string; examples: unknown[] }[] = [];
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${at}/${i}`));
    if (!node || typeof node !== "object") return;
    const o = node as Schema;
    if (typeof o.pattern === "string" && (o.type === "string" || o.type === undefined))
      found.push({
        at,
        pattern: o.pattern,
        examples: [...("example" in o ? [o.example] : []), ...(Array.isArray(o.examples) ? o.examples : [])],
      });
    for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k.replaceAll("~", "~0").replaceAll("/", "~1")}`);
  };
  walk(doc, "#");
  return found;
}
