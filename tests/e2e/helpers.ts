import { inject } from "vitest";

export const origin = () => inject("origin");

export async function call(path: string, init: RequestInit & { json?: unknown; token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  const res = await fetch(origin() + path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  exchanges.push({
    method: init.method ?? "GET",
    url: origin() + path,
    requestHeaders: headers,
    requestBody: init.json !== undefined ? init.json : init.body,
    status: res.status,
    responseHeaders: res.headers,
    body,
    text,
  });
  return { status: res.status, headers: res.headers, body, text };
}

/** Asserts an RFC 9457 problem with the given status and code, and returns it. */
export function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, code: string) {
  if (res.status !== status || res.body?.code !== code)
    throw new Error(`expected ${status} ${code}, got ${res.status} ${res.text.slice(0, 300)}`);
  if (res.headers.get("content-type") !== "application/problem+json")
    throw new Error(`not problem+json: ${res.headers.get("content-type")}`);
  for (const k of ["type", "title", "status", "detail", "code", "request_id"]) if (!(k in res.body)) throw new Error(`problem lacks ${k}`);
  if (res.body.request_id !== res.headers.get("x-request-id")) throw new Error("request_id differs from X-Request-Id");
  return res.body;
}

/** A new user through the public API; returns its access token. */
export async function register(label = "user"): Promise<string> {
  const res = await call("/v1/auth/register", {
    method: "POST",
    json: { email: `${label}-${crypto.randomUUID()}@e2e.test`, password: "correct horse battery staple 42", name: label },
  });
  if (res.status !== 201 || typeof res.body?.access_token !== "string")
    throw new Error(`register failed: ${res.status} ${res.text.slice(0, 300)}`);
  return res.body.access_token;
}

/** One request made through call() and its answer. */
export type Exchange = {
  method: string;
  url: string;
  requestHeaders: Headers;
  requestBody: unknown;
  status: number;
  responseHeaders: Headers;
  body: any;
  text: string;
};

/** Every exchange made through call() in this test file; contract-setup.ts checks them against /openapi.json after each test. */
export const exchanges: Exchange[] = [];
