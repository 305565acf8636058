import { OpenAPIHono, createRoute, z, type RouteConfig } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { ZodError } from "zod";
import { isUniqueViolation } from "./db-unique";
import { ApiError, ERROR_CODES, problemResponse, type ErrorCode, type FieldError } from "./errors";
import { requireScope, type Identity, type RouteScope } from "./identity";
import { D1_BOOKMARK_HEADER, sessionStart, withD1Session } from "./d1-session";
import { instrumentEnv } from "./instrument";
import { LOG_SAMPLED_HEADER, log, logSampleRate, sampleRequest } from "./log";
import { type AnalyticsDataset, observeRequest, renderSeries, writeRequestPoint } from "./metrics";
import { pageSchema, paginationQuery } from "./pagination";
import { requestIdMiddleware } from "./request-id";
import { formatServerTiming, newTimings } from "./server-timing";

export interface CoreEnv {
  /** Share of successful requests logged (0–1, default 0); answers ≥ 400 are always logged. */
  LOG_SAMPLE_RATE?: string;
  CORS_ORIGINS?: string;
  /** `off` drops the Server-Timing header. */
  SERVER_TIMING?: string;
}
export interface CoreVariables {
  requestId: string;
  identity: Identity;
  /** Route label for logs and metrics when the matched path is a catch-all (the gateway's forwards). */
  routeLabel?: string;
  /** Whether this request's success is logged (the gateway forwards its decision). */
  logSampled: boolean;
}
export type AppEnv<B = CoreEnv> = { Bindings: B; Variables: CoreVariables };

export const MiB = 1024 * 1024;

/** zod issues → `errors[]`; unknown keys become one error per key so the path names the field. */
export function fieldErrors(error: ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const base = issue.path.map(String);
    if (issue.code === "unrecognized_keys") return issue.keys.map((k) => ({ path: [...base, k].join("."), message: "unknown field" }));
    return [{ path: base.join(".") || "(body)", message: issue.message }];
  });
}

const HTTP_STATUS_CODES: Record<number, ErrorCode> = {
  400: "validation_failed",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

/**
 * The HTTP methods the API serves (HEAD through GET, OPTIONS for CORS preflight). Any other method is
 * 405 before routing and is counted as method="other". Add a method here before routing one.
 */
export const SERVED_METHODS: readonly string[] = ["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"];
const SERVED = new Set(SERVED_METHODS);
const ROUTED = ["GET", "POST", "PATCH", "DELETE"];

export interface AppOptions {
  /** Largest accepted request body; the gateway raises it for imports only. */
  maxBody?: number | ((c: Context) => number);
  /**
   * The app faces the internet (the gateway): nothing under /internal/ is served (404), and it keeps
   * no /internal/metrics of its own. Domain apps serve /internal/metrics to the gateway only, since
   * they are reachable through service bindings alone.
   */
  public?: boolean;
  /** Methods allowed at a path the app does not route itself (the gateway asks the domain worker). */
  allowElsewhere?: (c: Context) => Promise<string[] | undefined>;
}

const INTERNAL = /^\/+internal(\/|$)/i;

/** Every worker is built here so errors, request ids, logs, metrics and headers behave the same everywhere. */
export function createApp<B extends CoreEnv = CoreEnv>(worker: string, options: AppOptions = {}) {
  const app = new OpenAPIHono<AppEnv<B>>({
    defaultHook: (result) => {
      if (result.success) return;
      const inQuery = result.target === "query" || result.target === "param" || result.target === "header";
      throw new ApiError(
        "validation_failed",
        inQuery ? "The query, path or header parameters are not valid." : "The request body is not valid.",
        { errors: fieldErrors(result.error), status: inQuery ? 400 : 422 },
      );
    },
  });

  app.use("*", requestIdMiddleware());
  // Metrics, the sampled log line and Server-Timing. An unsampled success costs no log object or JSON.
  app.use("*", async (c, next) => {
    const started = performance.now();
    const timings = c.env?.SERVER_TIMING === "off" ? undefined : newTimings();
    if (timings && c.env) c.env = instrumentEnv(c.env, timings);
    const sampled = sampleRequest(logSampleRate(c.env?.LOG_SAMPLE_RATE), c.req.header(LOG_SAMPLED_HEADER));
    c.set("logSampled", sampled);
    await next();
    const ms = performance.now() - started;
    // Set, never appended: a forwarded answer's own header is replaced by the merged one.
    if (timings) c.res.headers.set("Server-Timing", formatServerTiming(ms, timings));
    else c.res.headers.delete("Server-Timing");
    const status = c.res.status;
    const route = c.get("routeLabel") ?? (c.req.routePath === "/*" ? "unmatched" : c.req.routePath);
    const method = SERVED.has(c.req.method) ? c.req.method : "other";
    observeRequest(worker, method, route, status, ms, timings);
    writeRequestPoint((c.env as { ANALYTICS?: AnalyticsDataset } | undefined)?.ANALYTICS, worker, method, route, status, ms, timings);
    if (sampled || status >= 400)
      log(status >= 500 ? "error" : status >= 400 ? "warn" : "info", {
        request_id: c.get("requestId"),
        worker,
        method: c.req.method,
        route,
        status,
        duration_ms: Math.round(ms * 100) / 100,
      });
  });
  app.use("*", secureHeaders({ crossOriginResourcePolicy: "cross-origin" }));
  // Before CORS, so not even a preflight answers for an internal path.
  if (options.public)
    app.use("*", async (c, next) => {
      if (INTERNAL.test(c.req.path)) throw new ApiError("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`);
      await next();
    });
  app.use("*", (c, next) =>
    cors({
      origin: (c.env?.CORS_ORIGINS ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
      allowMethods: ROUTED,
      allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "X-D1-Bookmark"],
      exposeHeaders: [
        "X-Request-Id",
        "Idempotent-Replayed",
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "Server-Timing",
        "X-D1-Bookmark",
      ],
      maxAge: 600,
    })(c, next),
  );
  app.use("*", async (c, next) => {
    if (SERVED.has(c.req.method)) return next();
    const allow = allowedMethods(app, c.req.path) ?? (await options.allowElsewhere?.(c));
    throw new ApiError(
      "method_not_allowed",
      `${c.req.method} is not served${allow?.length ? `; this resource allows ${allow.join(", ")}` : ""}.`,
      { headers: allow?.length ? { Allow: allow.join(", ") } : undefined },
    );
  });
  // One D1 session per request (D1 Sessions API), its bookmark answered in x-d1-bookmark; the gateway
  // runs no D1 on the request path and forwards the header both ways.
  if (!options.public)
    app.use("*", async (c, next) => {
      if (!c.env) return next();
      const { env, session } = withD1Session(c.env, sessionStart(c.req.method, c.req.path, c.req.header(D1_BOOKMARK_HEADER)));
      if (!session) return next();
      c.env = env;
      await next();
      const bookmark = session.getBookmark();
      if (bookmark) c.res.headers.set(D1_BOOKMARK_HEADER, bookmark);
    });
  app.use("*", (c, next) =>
    bodyLimit({
      maxSize: typeof options.maxBody === "function" ? options.maxBody(c) : (options.maxBody ?? MiB),
      onError: () => {
        throw new ApiError("payload_too_large", "The request body is larger than allowed.");
      },
    })(c, next),
  );

  if (!options.public) app.get("/internal/metrics", (c) => c.text(renderSeries()));

  app.notFound((c) => problemResponse(c, new ApiError("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`)));
  app.onError((err, c) => {
    if (err instanceof ApiError) return problemResponse(c, err);
    if (err instanceof HTTPException && HTTP_STATUS_CODES[err.status]) {
      const code = HTTP_STATUS_CODES[err.status];
      const detail = err.status === 400 ? "The request body is not valid JSON." : err.message || ERROR_CODES[code].title;
      return problemResponse(c, new ApiError(code, detail, { status: err.status }));
    }
    // A unique index caught a race that a check-then-insert let through: a conflict, not a crash.
    if (isUniqueViolation(err)) return problemResponse(c, new ApiError("conflict", "That already exists."));
    log("error", {
      request_id: c.get("requestId"),
      worker,
      method: c.req.method,
      route: c.req.routePath,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    return problemResponse(c, new ApiError("internal", "An unexpected error occurred."));
  });
  return app;
}

/** The methods routed at `path` in `app` itself (HEAD with GET), or undefined when none is. */
function allowedMethods<B extends CoreEnv>(app: OpenAPIHono<AppEnv<B>>, path: string): string[] | undefined {
  const allow: string[] = [];
  for (const method of ROUTED) {
    // Each match is [[handler, route], params]; "ALL" entries are middleware and catch-alls.
    const [matches] = app.router.match(method, path) as unknown as [[[unknown, { method: string }], unknown][]];
    if (matches.some(([[, route]]) => route.method !== "ALL")) allow.push(method, ...(method === "GET" ? ["HEAD"] : []));
  }
  return allow.length ? allow : undefined;
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    request_id: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

/** An RFC 9457 problem response, for the OpenAPI document. */
export const problemDoc = (description: string) => ({ description, content: { "application/problem+json": { schema: problemSchema } } });

/** A JSON request body that rejects unknown fields (as Stripe does). */
export const jsonBody = <T extends z.ZodTypeAny>(schema: T, description?: string) => ({
  body: { required: true, description, content: { "application/json": { schema } } },
});

export const jsonResponse = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

type Defined = Omit<RouteConfig, "security" | "middleware"> & {
  /** Scope the bearer token needs; `admin` for the admin role; `authenticated` for any verified caller; `null` for a public route. */
  scope: RouteScope;
  middleware?: MiddlewareHandler[];
};

type ProblemDoc = ReturnType<typeof problemDoc>;
/** The problems every route documents; the others (401, 403, 413, 415) depend on its scope and body. */
type DefaultProblems = { 400: ProblemDoc; 404: ProblemDoc; 422: ProblemDoc; 429: ProblemDoc };

/**
 * The problems every route can answer, for its document. A body is limited in size (413, by the gateway
 * and the app); its content type is checked (415) when it is declared with zod schemas: by
 * @hono/zod-openapi for JSON and forms, by the route itself for any other type (imports). A body
 * declared with a plain JSON schema is read by its handler, which answers its own errors (OAuth).
 */
function defaultProblems(scope: RouteScope, body: { content?: object } | undefined): DefaultProblems {
  const checked = Object.values(body?.content ?? {}).some((media: { schema?: unknown } | undefined) => media?.schema instanceof z.ZodType);
  return {
    400: problemDoc("Malformed JSON or query"),
    ...(scope ? { 401: problemDoc("Missing or invalid bearer token"), 403: problemDoc("Token lacks the required scope") } : {}),
    404: problemDoc("Not found (or not yours)"),
    ...(body ? { 413: problemDoc("The request body is larger than allowed") } : {}),
    ...(checked ? { 415: problemDoc("The request body's content type is not one the operation accepts") } : {}),
    422: problemDoc("Validation or business rule failed"),
    429: problemDoc("Rate limited"),
  };
}

/**
 * An operation that takes no body (close, reverse, cancel, a DELETE) still reads one it is sent, so
 * that nothing a client meant is silently ignored: fields are unknown fields (422), text that is not
 * JSON is malformed (400). No body, or `{}`, is fine.
 */
const noBody: MiddlewareHandler = async (c, next) => {
  const text = c.req.raw.body ? (await c.req.text()).trim() : "";
  if (text) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ApiError("validation_failed", "The request body is not valid JSON.", { status: 400 });
    }
    const keys = value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : undefined;
    if (!keys || keys.length)
      throw new ApiError("validation_failed", "This operation takes no request body.", {
        errors: keys ? keys.map((k) => ({ path: k, message: "unknown field" })) : [{ path: "(body)", message: "must be empty" }],
      });
  }
  await next();
};

const WRITES = new Set(["post", "put", "patch", "delete"]);

/** createRoute + the security requirement, the scope check and the documented problem responses (the route's own win). */
export function defineRoute<R extends Defined>(config: R) {
  const { scope, middleware = [], responses, ...rest } = config;
  const own: R["responses"] = responses;
  const bodiless = WRITES.has(rest.method) && !rest.request?.body;
  return createRoute({
    ...rest,
    ...(scope ? { security: [{ bearer: scope === "admin" || scope === "authenticated" ? [] : [scope] }] } : {}),
    middleware: [...(scope ? [requireScope(scope)] : []), ...(bodiless ? [noBody] : []), ...middleware],
    // Object.assign and `own` keep the route's own response types for its handler.
    responses: Object.assign(defaultProblems(scope, rest.request?.body), own),
  });
}

/** The `{id}` path parameter: `schema` checks it (a bare string unless given), `example` documents it. */
export const pathId = ({ schema = z.string(), example }: { schema?: z.ZodString; example?: string } = {}) =>
  z.object({ id: schema.openapi({ param: { name: "id", in: "path" }, ...(example === undefined ? {} : { example }) }) });

/** What a GET route says about itself; the helpers below add the request and the 200 answer. */
type ReadText = Pick<Defined, "path" | "tags" | "summary" | "description" | "scope">;

/** What any route the helpers declare says about itself: a write may add middleware (further checks). */
type RouteText = ReadText & Pick<Defined, "middleware">;

/** The route a helper declares, its text's keys in the order the document lists them. */
function textRoute<M extends RouteConfig["method"], Q extends NonNullable<RouteConfig["request"]>, S extends RouteConfig["responses"]>(
  method: M,
  text: RouteText,
  request: Q,
  responses: S,
) {
  const { path, tags, summary, description, scope, middleware } = text;
  return defineRoute({ method, path, tags, summary, description, scope, middleware, request, responses });
}

/** The GET route both read helpers declare. */
function readRoute<Q extends NonNullable<RouteConfig["request"]>, A extends ReturnType<typeof jsonResponse>>(
  text: ReadText,
  request: Q,
  answer: A,
) {
  return textRoute("get", text, request, { 200: answer });
}

/**
 * GET one resource: the one its path `params` name, or the one its `query` asks for (a report), or the
 * only one there is (neither); `item` answers 200.
 */
export function getRoute<
  T extends z.ZodTypeAny,
  P extends z.ZodObject = z.ZodObject<Record<never, never>>,
  Q extends z.ZodObject = z.ZodObject<Record<never, never>>,
>({ params, query, item, ...text }: ReadText & { params?: P; query?: Q; item: { schema: T; description: string } }) {
  // Typed as if both were always there: a route without one types its handler with none.
  const request = { ...(params ? { params } : {}), ...(query ? { query } : {}) } as { params: P; query: Q };
  return readRoute(text, request, jsonResponse(item.schema, item.description));
}

/** The items of a list, its page's component name (when it has one) and the page's description. */
type ListPage<T extends z.ZodTypeAny> = { item: T; name?: string; description: string };

/**
 * GET one page of `page.item`s, newest first: the pagination query (or `query`, which extends it),
 * `params` for a nested list, and the page answer (a named component when `page.name` is given).
 */
export function listRoute<
  T extends z.ZodTypeAny,
  Q extends z.ZodObject = typeof paginationQuery,
  P extends z.ZodObject = z.ZodObject<Record<never, never>>,
>({ params, query, page, ...text }: ReadText & { params?: P; query?: Q; page: ListPage<T> }) {
  const schema = page.name ? pageSchema(page.item).openapi(page.name) : pageSchema(page.item);
  // Typed as if `params` were always there: a route without them types its handler with none.
  const request = { ...(params ? { params } : {}), query: query ?? paginationQuery } as { params: P; query: Q };
  return readRoute(text, request, jsonResponse(schema, page.description));
}

/** A JSON body and the resource a write answers with, as the write helpers take them. */
type Body<B extends z.ZodTypeAny> = { schema: B; description?: string };
type Item<T extends z.ZodTypeAny> = { schema: T; description: string };

/** The 409 problem of a write that can clash with what exists (`conflict` describes when). */
const conflictDoc = (conflict: string | undefined): { 409: ProblemDoc } | Record<never, never> =>
  conflict === undefined ? {} : { 409: problemDoc(conflict) };

/** POST a new resource: `headers` (e.g. an Idempotency-Key) and the JSON `body`; `item` answers 201. */
export function createItemRoute<B extends z.ZodTypeAny, T extends z.ZodTypeAny, H extends z.ZodObject = z.ZodObject<Record<never, never>>>({
  headers,
  body,
  item,
  conflict,
  ...text
}: RouteText & { headers?: H; body: Body<B>; item: Item<T>; conflict?: string }) {
  // Typed as if `headers` were always there: a route without them types its handler with none.
  const request = { ...(headers ? { headers } : {}), ...jsonBody(body.schema, body.description) } as { headers: H } & ReturnType<
    typeof jsonBody<B>
  >;
  return textRoute("post", text, request, { 201: jsonResponse(item.schema, item.description), ...conflictDoc(conflict) });
}

/** PATCH the resource named by `params` with the JSON `body` of the fields to change; `item` answers 200. */
export function patchRoute<P extends z.ZodObject, B extends z.ZodTypeAny, T extends z.ZodTypeAny>({
  params,
  body,
  item,
  ...text
}: RouteText & { params: P; body: Body<B>; item: Item<T> }) {
  return textRoute(
    "patch",
    text,
    { params, ...jsonBody(body.schema, body.description) },
    { 200: jsonResponse(item.schema, item.description) },
  );
}

/** DELETE the resource named by `params`: 204 with no body (`deleted` describes it; "Deleted" unless given). */
export function deleteRoute<P extends z.ZodObject>({ params, deleted = "Deleted", ...text }: RouteText & { params: P; deleted?: string }) {
  return textRoute("delete", text, { params }, { 204: { description: deleted } });
}

/**
 * POST an action on the resource named by `params` (`/{id}/close`, `/{id}/retry`), with no body:
 * `item` answers `status` (200 unless given), and 409 when `conflict` says the action can clash.
 */
export function actionRoute<P extends z.ZodObject, T extends z.ZodTypeAny, S extends 200 | 202 = 200>({
  params,
  item,
  status = 200 as S,
  conflict,
  ...text
}: RouteText & { params: P; item: Item<T>; status?: S; conflict?: string }) {
  const answer = { [status]: jsonResponse(item.schema, item.description) } as { [K in S]: ReturnType<typeof jsonResponse<T>> };
  return textRoute("post", text, { params }, { ...answer, ...conflictDoc(conflict) });
}

/** What one route of a resource says about itself: the resource gives its path, tags and scope. */
type OwnText = Pick<Defined, "summary" | "description">;
/** A route's answer: `answer` describes it; it is the resource itself unless `schema` says otherwise. */
type Answer<T extends z.ZodTypeAny> = { answer: string; schema?: T };

/**
 * The routes of one REST resource, each declared with only its own text, body and answer: the
 * resource names its collection `path` (`/v1/budgets`; one of them is `path/{id}`, named by `params`),
 * the `item` its routes answer with, its tags, the scope to `read` it, the scope to `write` it and
 * any further checks a write runs.
 */
export function resourceRoutes<P extends z.ZodObject, I extends z.ZodTypeAny>(resource: {
  path: string;
  tags: string[];
  params: P;
  item: I;
  read: RouteScope;
  write: RouteScope;
  writeMiddleware?: MiddlewareHandler[];
}) {
  const { path, tags, params, item, read, write, writeMiddleware } = resource;
  const one = `${path}/{id}`;
  const reads = { tags, scope: read };
  const writes = { tags, scope: write, middleware: writeMiddleware };
  const answered = <T extends z.ZodTypeAny>({ answer, schema }: Answer<T>) => ({ schema: (schema ?? item) as T, description: answer });
  return {
    /** GET the collection, a page of items at a time. */
    list: <Q extends z.ZodObject = typeof paginationQuery>({ page, ...r }: OwnText & { query?: Q; page: Omit<ListPage<I>, "item"> }) =>
      listRoute({ path, ...reads, ...r, page: { item, ...page } }),
    /** GET one. */
    get: <T extends z.ZodTypeAny = I>({ answer, schema, ...text }: OwnText & Answer<T>) =>
      getRoute({ path: one, ...reads, ...text, params, item: answered({ answer, schema }) }),
    /** POST a new one. */
    create: <B extends z.ZodTypeAny, T extends z.ZodTypeAny = I, H extends z.ZodObject = z.ZodObject<Record<never, never>>>({
      answer,
      schema,
      ...r
    }: OwnText & Answer<T> & { headers?: H; body: Body<B>; conflict?: string }) =>
      createItemRoute({ path, ...writes, ...r, item: answered({ answer, schema }) }),
    /** PATCH one. */
    update: <B extends z.ZodTypeAny, T extends z.ZodTypeAny = I>({ answer, schema, ...r }: OwnText & Answer<T> & { body: Body<B> }) =>
      patchRoute({ path: one, ...writes, ...r, params, item: answered({ answer, schema }) }),
    /** DELETE one. */
    delete: (r: OwnText & { deleted?: string }) => deleteRoute({ path: one, ...writes, params, ...r }),
    /** POST `path/{id}/<verb>`. */
    action: <T extends z.ZodTypeAny = I, S extends 200 | 202 = 200>(
      verb: string,
      { answer, schema, ...r }: OwnText & Answer<T> & { status?: S; conflict?: string },
    ) => actionRoute({ path: `${one}/${verb}`, ...writes, ...r, params, item: answered({ answer, schema }) }),
    /** GET `path/{id}/<what>`, a page of the one's `page.item`s at a time (an endpoint's deliveries). */
    listOf: <T extends z.ZodTypeAny>(what: string, r: OwnText & { page: ListPage<T> }) =>
      listRoute({ path: `${one}/${what}`, ...reads, ...r, params }),
  };
}

export { z };
