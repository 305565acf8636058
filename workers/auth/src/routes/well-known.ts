import type { OpenAPIHono } from "@hono/zod-openapi";
import { SCOPES, defineRoute, jsonResponse, z } from "#core";
import type { AuthApp } from "../env";
import { signingKeys } from "../keys";

const jwkSchema = z
  .object({
    kty: z.string(),
    crv: z.string(),
    x: z.string(),
    y: z.string().optional(),
    kid: z.string(),
    alg: z.string(),
    use: z.literal("sig"),
  })
  .openapi("PublicJwk");

export const jwks = defineRoute({
  method: "get",
  path: "/.well-known/jwks.json",
  tags: ["auth"],
  summary: "Public keys that verify access tokens (current and previous, by kid)",
  scope: null,
  responses: { 200: jsonResponse(z.object({ keys: z.array(jwkSchema) }).openapi("Jwks"), "RFC 7517 JWK Set") },
});

const metadataSchema = z
  .object({
    issuer: z.string(),
    token_endpoint: z.string(),
    jwks_uri: z.string(),
    grant_types_supported: z.array(z.string()),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    scopes_supported: z.array(z.string()),
    response_types_supported: z.array(z.string()),
    service_documentation: z.string(),
  })
  .openapi("AuthorizationServerMetadata");

export const metadata = defineRoute({
  method: "get",
  path: "/.well-known/oauth-authorization-server",
  tags: ["auth"],
  summary: "OAuth 2.0 authorization server metadata (RFC 8414)",
  scope: null,
  responses: { 200: jsonResponse(metadataSchema, "RFC 8414 metadata") },
});

export function mountWellKnownRoutes(app: OpenAPIHono<AuthApp>) {
  app.openapi(jwks, async (c) => {
    const keys = await signingKeys(c.env.JWT_SIGNING_KEYS);
    const body = { keys: keys.map((k) => k.publicJwk as z.infer<typeof jwkSchema>) };
    return c.json(body, 200, { "Cache-Control": "public, max-age=300" });
  });

  app.openapi(metadata, (c) => {
    const issuer = c.env.ISSUER.replace(/\/+$/, "");
    return c.json(
      {
        issuer,
        token_endpoint: `${issuer}/v1/oauth/token`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        grant_types_supported: ["client_credentials", "refresh_token"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        scopes_supported: [...SCOPES],
        // No authorization endpoint: this server issues tokens only at the token endpoint.
        response_types_supported: [],
        service_documentation: `${issuer}/docs`,
      },
      200,
      { "Cache-Control": "public, max-age=300" },
    );
  });
}
