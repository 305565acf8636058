import type { Context } from "hono";
import {
  ApiError,
  IDENTITY_HEADER,
  LOG_SAMPLED_HEADER,
  MiB,
  METRICS_HEADER,
  createApp,
  defineRoute,
  jsonResponse,
  problemDoc,
  renderSeries,
  z,
  type AppEnv,
  type Identity,
} from "#core";
import { DOCS_HTML } from "./docs";
import type { GatewayEnv } from "./env";
import { mergedDocument } from "./openapi";
import { SERVICE_BINDINGS, isImport, isPublic, serviceFor } from "./routing";
import { changesStateOf } from "./caller-cache";
import { callerState, forgetCaller } from "./caller-state";
import { sameSecret } from "./secrets";
import { verifyAccessToken } from "./tokens";

type Ctx = Context<AppEnv<GatewayEnv>>;

const app = createApp<GatewayEnv>("gateway", {
  maxBody: (c) => (isImport(new URL(c.req.url).pathname) ? 10 * MiB : MiB),
  public: true,
  allowElsewhere: (c) => allowAtDomain(c as Ctx),
});

/**
 * The Allow list of a path the gateway forwards, from the domain worker that serves it: that worker
 * answers a method it does not serve with 405 before any other work, so the probe carries no body,
 * no identity and no token.
 */
async function allowAtDomain(c: Ctx): Promise<string[] | undefined> {
  const url = new URL(c.req.url);
  const service = serviceFor(url.pathname);
  if (!service) return undefined;
  try {
    const res = await c.env[service].fetch(new Request(url, { method: c.req.method, headers: { "x-request-id": c.get("requestId") } }));
    await res.body?.cancel();
    const allow = res.status === 405 ? res.headers.get("allow") : null;
    return allow
      ? allow
          .split(",")
          .map((m) => m.trim())
          .filter(Boolean)
      : undefined;
  } catch {
    return undefined; // a silent worker costs the Allow header, not the 405
  }
}

/** The verified caller of a request: bearer token checked against the JWKS, then the user's current state. */
async function authenticate(c: Ctx): Promise<Identity> {
  const [scheme, token] = (c.req.header("authorization") ?? "").split(" ");
  if (scheme?.toLowerCase() !== "bearer" || !token)
    throw new ApiError("unauthorized", "A bearer token is required.", { headers: { "WWW-Authenticate": "Bearer" } });
  const identity = await verifyAccessToken(c.env.AUTH, token, { issuer: c.env.ISSUER, audience: c.env.AUDIENCE });
  // The token may outlive a suspension or deletion: the user's current state decides. It comes from the
  // user's UserState object (written by every change, filled from D1 once), never from D1 here.
  const user = await callerState(c.env, identity.sub);
  if (!user || user.status === "deleted") throw new ApiError("unauthorized", "The access token is invalid or expired.");
  if (user.status !== "active") throw new ApiError("forbidden", "This user is suspended.");
  identity.role = user.role;
  const changing = changesStateOf(c.req.method, new URL(c.req.url).pathname, identity.sub);
  if (changing) forgetCaller(changing);
  return identity;
}

/**
 * /metrics: the scrape secret (compared in constant time, no token verification or D1 read), else an
 * administrator's own token verified like any other. No or bad token → 401; anyone else → 403.
 */
async function authorizeScrape(c: Ctx) {
  const [scheme, token] = (c.req.header("authorization") ?? "").split(" ");
  const secret = c.env.METRICS_TOKEN;
  if (secret && scheme?.toLowerCase() === "bearer" && token && sameSecret(token, secret)) return;
  const identity = await authenticate(c);
  if (identity.role !== "admin" || identity.client_id)
    throw new ApiError("forbidden", "Metrics need the scrape token or an administrator's own token.");
}

// ── platform routes ─────────────────────────────────────────────────────────
app.openapi(
  defineRoute({
    method: "get",
    path: "/health",
    tags: ["platform"],
    summary: "Liveness (no I/O)",
    scope: null,
    responses: { 200: jsonResponse(z.object({ status: z.literal("ok") }), "The gateway is alive") },
  }),
  (c) => c.json({ status: "ok" as const }, 200),
);

const readySchema = z.object({ status: z.enum(["ready", "degraded"]), checks: z.record(z.string(), z.boolean()) });
app.openapi(
  defineRoute({
    method: "get",
    path: "/ready",
    tags: ["platform"],
    summary: "Readiness: D1 answers a query and every service binding answers",
    scope: null,
    responses: {
      200: jsonResponse(readySchema, "Everything answers"),
      503: jsonResponse(readySchema, "Something does not answer"),
    },
  }),
  async (c) => {
    const probe = async (f: () => Promise<boolean>) => f().catch(() => false);
    const names = ["d1", ...SERVICE_BINDINGS.map((b) => b.toLowerCase())];
    const results = await Promise.all([
      probe(async () => (await c.env.DB.prepare("select 1 as ok").first<{ ok: number }>())?.ok === 1),
      ...SERVICE_BINDINGS.map((b) => probe(async () => (await c.env[b].fetch("https://internal/health")).ok)),
    ]);
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i]]));
    const ok = results.every(Boolean);
    return c.json({ status: ok ? ("ready" as const) : ("degraded" as const), checks }, ok ? 200 : 503);
  },
);

app.openapi(
  defineRoute({
    method: "get",
    path: "/metrics",
    tags: ["platform"],
    summary: "Prometheus metrics of every worker (bearer: the METRICS_TOKEN scrape secret or an administrator's token)",
    scope: null,
    security: [{ bearer: [] }],
    responses: {
      200: { description: "Prometheus text exposition format", content: { "text/plain": { schema: z.string() } } },
      401: problemDoc("No bearer token, or one that is neither the scrape secret nor a valid access token"),
      403: problemDoc("A valid token of someone who is not an administrator"),
    },
  }),
  async (c) => {
    await authorizeScrape(c);
    const parts = await Promise.all(
      SERVICE_BINDINGS.map((b) =>
        c.env[b].fetch("https://internal/internal/metrics").then(
          (r) => r.text(),
          () => "",
        ),
      ),
    );
    return c.text(METRICS_HEADER + renderSeries() + parts.join(""), 200, { "content-type": "text/plain; version=0.0.4" });
  },
);

app.get("/openapi.json", async (c) => c.json(await mergedDocument(app, c.env, new URL(c.req.url).origin)));
app.get("/docs", (c) => c.html(DOCS_HTML));

// ── everything else goes to a domain worker ─────────────────────────────────
app.all("*", async (c) => {
  const url = new URL(c.req.url);
  const service = serviceFor(url.pathname);
  if (!service) throw new ApiError("not_found", `No route for ${c.req.method} ${url.pathname}.`);
  c.set("routeLabel", `forward:${service.toLowerCase()}`);

  const headers = new Headers(c.req.raw.headers);
  for (const name of [...headers.keys()]) if (name.startsWith("x-ef-")) headers.delete(name);
  headers.set("x-request-id", c.get("requestId"));
  headers.set("x-ef-client-ip", c.req.header("cf-connecting-ip") ?? "127.0.0.1");
  headers.set(LOG_SAMPLED_HEADER, c.get("logSampled") ? "1" : "0");

  if (!isPublic(url.pathname)) headers.set(IDENTITY_HEADER, JSON.stringify(await authenticate(c)));

  const init: RequestInit = { method: c.req.method, headers, redirect: "manual" };
  // Statements stream through; other bodies (≤ 1 MiB) are buffered so a worker that answers without
  // reading them (401, 415) leaves no half-read stream behind.
  if (c.req.method !== "GET" && c.req.method !== "HEAD") init.body = isImport(url.pathname) ? c.req.raw.body : await c.req.arrayBuffer();
  const res = await c.env[service].fetch(new Request(url, init));
  return new Response(res.body, res); // mutable copy: the core middleware adds headers
});

export default app;
