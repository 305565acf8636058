/** Which service binding serves which public path. First match wins. */
export const SERVICE_BINDINGS = ["AUTH", "USERS", "FINANCE", "TRANSACTIONS", "PAYMENTS", "TAX", "AI_SERVICE"] as const;
export type ServiceBinding = (typeof SERVICE_BINDINGS)[number];

const TABLE: [RegExp, ServiceBinding][] = [
  [/^\/v1\/(auth|oauth)(\/|$)/, "AUTH"],
  [/^\/\.well-known\//, "AUTH"],
  [/^\/v1\/(users|admin)(\/|$)/, "USERS"],
  [/^\/v1\/accounts\/[^/]+\/(transactions|imports|balance|verify)\/?$/, "TRANSACTIONS"],
  [/^\/v1\/transactions(\/|$)/, "TRANSACTIONS"],
  [/^\/v1\/(accounts|categories|budgets|reports)(\/|$)/, "FINANCE"],
  [/^\/v1\/payments(\/|$)/, "PAYMENTS"],
  [/^\/v1\/tax(\/|$)/, "TAX"],
  [/^\/v1\/ai(\/|$)/, "AI_SERVICE"],
];

export function serviceFor(path: string): ServiceBinding | undefined {
  return TABLE.find(([re]) => re.test(path))?.[1];
}

/** Paths that need no bearer token: sign-up, login, refresh, logout, the token endpoint and discovery. */
const PUBLIC = /^(\/v1\/auth\/(register|login|refresh|logout)|\/v1\/oauth\/token|\/\.well-known\/.*)$/;
export const isPublic = (path: string) => PUBLIC.test(path);

/** Imports may carry 10 MiB; everything else 1 MiB. */
export const isImport = (path: string) => /^\/v1\/accounts\/[^/]+\/imports\/?$/.test(path);
