import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import { ApiError, SCOPES, type Identity, type Scope } from "#core";

/**
 * Access-token verification against the auth worker's JWKS. The key set is cached per isolate for
 * 5 minutes (so a withdrawn key stops verifying soon after) and fetched again when a token names an
 * unknown `kid` (key rotation), at most once every 10 s.
 */
const JWKS_TTL_MS = 5 * 60_000;
let cached: { jwks: ReturnType<typeof createLocalJWKSet>; at: number } | undefined;

async function loadJwks(auth: Fetcher): Promise<ReturnType<typeof createLocalJWKSet>> {
  const res = await auth.fetch("https://auth.internal/.well-known/jwks.json");
  if (!res.ok) throw new ApiError("service_unavailable", "The key set is unavailable.");
  cached = { jwks: createLocalJWKSet((await res.json()) as JSONWebKeySet), at: Date.now() };
  return cached.jwks;
}

export interface VerifyOptions {
  issuer: string;
  audience: string;
}

async function verifyWith(jwks: ReturnType<typeof createLocalJWKSet>, token: string, opts: VerifyOptions) {
  const { payload } = await jwtVerify(token, jwks, {
    issuer: opts.issuer,
    audience: opts.audience,
    algorithms: ["EdDSA", "ES256"],
    requiredClaims: ["sub", "exp", "iat", "jti"],
  });
  return payload;
}

export async function verifyAccessToken(auth: Fetcher, token: string, opts: VerifyOptions): Promise<Identity> {
  let payload: JWTPayload;
  try {
    decodeProtectedHeader(token); // not even a JWS: no need to load keys
    try {
      const fresh = cached && Date.now() - cached.at < JWKS_TTL_MS ? cached.jwks : await loadJwks(auth);
      payload = await verifyWith(fresh, token, opts);
    } catch (e) {
      if (!(e instanceof errors.JWKSNoMatchingKey) || Date.now() - (cached?.at ?? 0) < 10_000) throw e;
      payload = await verifyWith(await loadJwks(auth), token, opts);
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError("unauthorized", "The access token is invalid or expired.", {
      headers: {
        "WWW-Authenticate": 'Bearer error="invalid_token"',
      },
    });
  }
  const scopes = String(payload.scope ?? "")
    .split(" ")
    .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  return {
    sub: payload.sub!,
    role: payload.role === "admin" ? "admin" : "user",
    scopes,
    client_id: typeof payload.client_id === "string" ? payload.client_id : undefined,
    jti: payload.jti,
  };
}
