import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { apiClients, users } from "../../../../db/schema";
import { defineRoute, jsonResponse, z, type Scope } from "#core";
import { audit } from "../audit";
import { clientCredentials, type ClientCredentials } from "../client-auth";
import type { AuthApp } from "../env";
import { rotateRefreshToken } from "../sessions";
import { parseScopes, sha256Hex, signAccessToken } from "../tokens";

/** RFC 6749 §5.2 error codes. */
type OAuthError =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

const tokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().openapi({ example: 900 }),
    scope: z.string().openapi({ example: "accounts:read transactions:read" }),
    refresh_token: z.string().optional().openapi({ description: "refresh_token grant only: the rotated token" }),
  })
  .openapi("OAuthTokenResponse");

const errorResponse = z
  .object({
    error: z.enum(["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"]),
    error_description: z.string().optional(),
  })
  .openapi("OAuthError");

export const token = defineRoute({
  method: "post",
  path: "/v1/oauth/token",
  tags: ["auth"],
  summary: "OAuth 2.0 token endpoint (RFC 6749): client_credentials and refresh_token grants",
  description:
    "Client authentication: `client_secret_basic` (HTTP Basic with the form-urlencoded id and secret, RFC 6749 §2.3.1) or `client_secret_post`. Errors use the RFC 6749 §5.2 JSON shape.",
  scope: null,
  request: {
    body: {
      required: true,
      content: {
        // A plain schema (not zod): the handler parses the form itself so that every error keeps the RFC 6749 shape.
        "application/x-www-form-urlencoded": {
          schema: {
            type: "object",
            required: ["grant_type"],
            properties: {
              grant_type: { type: "string", enum: ["client_credentials", "refresh_token"] },
              scope: { type: "string", description: "space-separated subset of the client's scopes" },
              refresh_token: { type: "string" },
              client_id: { type: "string", description: "client_secret_post only" },
              client_secret: { type: "string", description: "client_secret_post only" },
            },
          },
        },
      },
    },
  },
  responses: {
    200: jsonResponse(tokenResponse, "An access token"),
    400: jsonResponse(errorResponse, "RFC 6749 error"),
    401: jsonResponse(errorResponse, "invalid_client"),
  },
});

function oauthError(c: Context<AuthApp>, error: OAuthError, description: string, basic = false) {
  const status = error === "invalid_client" ? 401 : 400;
  const headers: Record<string, string> = { ...NO_STORE };
  if (status === 401) headers["WWW-Authenticate"] = basic ? 'Basic realm="edge-finance", charset="UTF-8"' : 'Basic realm="edge-finance"';
  return c.json({ error, error_description: description }, status, headers);
}

/** Equal-length hex strings compared without an early exit. */
function sameHex(a: string, b: string) {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const NO_SUCH_SECRET = "0".repeat(64);

async function authenticate(c: Context<AuthApp>, creds: ClientCredentials) {
  const db = drizzle(c.env.DB);
  const client = creds.id.length <= 64 ? await db.select().from(apiClients).where(eq(apiClients.id, creds.id)).get() : undefined;
  const presented = await sha256Hex(creds.secret);
  const ok = sameHex(presented, client?.secretHash ?? NO_SUCH_SECRET) && !!client && !client.revokedAt;
  return ok ? client : undefined;
}

export function mountOAuthRoutes(app: OpenAPIHono<AuthApp>) {
  app.openapi(token, async (c) => {
    // Read the whole body first, whatever it is, so that an early answer never cuts the request stream.
    const raw = new TextDecoder().decode(await c.req.arrayBuffer());
    if (!/^application\/x-www-form-urlencoded\b/i.test(c.req.header("content-type") ?? ""))
      return oauthError(c, "invalid_request", "The body must be application/x-www-form-urlencoded.");
    const form = new URLSearchParams(raw);
    for (const key of new Set(form.keys()))
      if (form.getAll(key).length > 1) return oauthError(c, "invalid_request", `Parameter ${key} is repeated.`);

    const auth = clientCredentials(c.req.header("authorization"), form);
    if (!auth.ok) return oauthError(c, auth.error, auth.description, auth.error === "invalid_client");
    const basic = auth.credentials?.method === "client_secret_basic";
    const client = auth.credentials ? await authenticate(c, auth.credentials) : undefined;
    if (auth.credentials && !client) return oauthError(c, "invalid_client", "Client authentication failed.", basic);

    const requested = form.get("scope");
    const requestedScopes = requested === null ? undefined : parseScopes(requested);
    if (requested !== null && !requestedScopes) return oauthError(c, "invalid_scope", "Unknown scope.");

    const grant = form.get("grant_type");
    const db = drizzle(c.env.DB);
    if (grant === "client_credentials") {
      if (!client) return oauthError(c, "invalid_client", "Client authentication is required.", basic);
      const granted = parseScopes(client.scopes) ?? [];
      const scopes = requestedScopes?.length ? requestedScopes : granted;
      if (!scopes.every((s) => granted.includes(s)))
        return oauthError(c, "invalid_scope", "The client was not granted every requested scope.");
      const owner = await db.select({ role: users.role, status: users.status }).from(users).where(eq(users.id, client.userId)).get();
      if (!owner || owner.status !== "active") return oauthError(c, "unauthorized_client", "The client's owner account is not active.");
      const { token: accessToken, expiresIn } = await signAccessToken(c.env, {
        sub: client.userId,
        role: owner.role,
        scopes,
        clientId: client.id,
      });
      return c.json(
        { access_token: accessToken, token_type: "Bearer" as const, expires_in: expiresIn, scope: scopes.join(" ") },
        200,
        NO_STORE,
      );
    }

    if (grant === "refresh_token") {
      const presented = form.get("refresh_token");
      if (!presented) return oauthError(c, "invalid_request", "refresh_token is required.");
      const result = await rotateRefreshToken(db, presented);
      if (!result.ok) {
        if (result.reason === "reused") await audit(c, "refresh_reuse", result.old!.userId, { family: result.old!.familyId });
        return oauthError(
          c,
          "invalid_grant",
          result.reason === "reused"
            ? "The refresh token was already used; its session is revoked."
            : "The refresh token is invalid or expired.",
        );
      }
      // A token bound to a client needs that client's authentication.
      if (result.old.clientId && result.old.clientId !== client?.id)
        return oauthError(c, "invalid_grant", "The refresh token was issued to another client.");
      const original = (parseScopes(result.scope) ?? []) as Scope[];
      const scopes = requestedScopes?.length ? requestedScopes : original;
      if (!scopes.every((s) => original.includes(s))) return oauthError(c, "invalid_scope", "A refresh cannot widen the original scope.");
      const { token: accessToken, expiresIn } = await signAccessToken(c.env, {
        sub: result.user.id,
        role: result.user.role,
        scopes,
        clientId: result.old.clientId ?? undefined,
      });
      return c.json(
        {
          access_token: accessToken,
          token_type: "Bearer" as const,
          expires_in: expiresIn,
          scope: scopes.join(" "),
          refresh_token: result.token,
        },
        200,
        NO_STORE,
      );
    }

    if (!grant) return oauthError(c, "invalid_request", "grant_type is required.");
    return oauthError(c, "unsupported_grant_type", "Supported grant types: client_credentials, refresh_token.");
  });
}
