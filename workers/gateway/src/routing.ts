import { ROUTES } from "./routes.generated";

/** The service bindings of the domain workers. */
export const SERVICE_BINDINGS = ["AUTH", "USERS", "FINANCE", "TRANSACTIONS", "PAYMENTS", "TAX", "AI_SERVICE", "WEBHOOKS"] as const;
export type ServiceBinding = (typeof SERVICE_BINDINGS)[number];

interface Route {
  segments: (string | null)[]; // null stands for a `{param}` segment
  service: ServiceBinding;
  public: boolean;
}

/**
 * The path templates of every domain worker, from routes.generated.ts (their OpenAPI documents), so a
 * route is declared once, in its worker. Literal segments win over parameters, as in the workers' own
 * routers; paths match exactly (no trailing slash), as the workers' routers do.
 */
const params = (r: Route) => r.segments.filter((s) => s === null).length;
const TABLE: Route[] = Object.entries(ROUTES)
  .map(([template, r]) => ({ segments: template.split("/").map((s) => (/^\{[^}]+\}$/.test(s) ? null : s)), ...r }))
  .sort((a, b) => params(a) - params(b));

function routeOf(path: string): Route | undefined {
  const parts = path.split("/");
  return TABLE.find(
    (r) => r.segments.length === parts.length && r.segments.every((s, i) => (s === null ? parts[i] !== "" : s === parts[i])),
  );
}

/** The worker that defines `path`, or undefined when none does (the gateway answers 404 itself). */
export const serviceFor = (path: string): ServiceBinding | undefined => routeOf(path)?.service;

/** Paths whose operations need no bearer token (sign-up, login, refresh, logout, the token endpoint, discovery). */
export const isPublic = (path: string) => routeOf(path)?.public ?? false;

/** Imports may carry 10 MiB; everything else 1 MiB. */
export const isImport = (path: string) => /^\/v1\/accounts\/[^/]+\/imports\/?$/.test(path);
