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

/** The key set while it is younger than JWKS_TTL_MS. */
const freshKeys = () => (cached && Date.now() - cached.at < JWKS_TTL_MS ? cached.jwks : undefined);

/**
 * Tokens this isolate has verified, reused until they expire or the key set is fetched again (then a
 * withdrawn key's tokens stop verifying as before): a client's every request after its first skips the
 * signature check. Bounded; the oldest go first.
 */
const VERIFIED_MAX = 10_000;
const verified = new Map<string, { identity: Identity; expMs: number; keys: ReturnType<typeof createLocalJWKSet> }>();

const copy = (i: Identity): Identity => ({ ...i, scopes: [...i.scopes] });

function reuse(token: string): Identity | undefined {
  const hit = verified.get(token);
  if (!hit) return undefined;
  if (hit.keys === freshKeys() && Date.now() < hit.expMs) return copy(hit.identity);
  verified.delete(token);
  return undefined;
}

function remember(token: string, identity: Identity, exp: number | undefined) {
  if (!cached || exp === undefined) return;
  verified.set(token, { identity: copy(identity), expMs: exp * 1000, keys: cached.jwks });
  if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value!);
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
  const known = reuse(token);
  if (known) return known;
  let payload: JWTPayload;
  try {
    decodeProtectedHeader(token); // not even a JWS: no need to load keys
    try {
      const fresh = freshKeys() ?? (await loadJwks(auth));
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
  const identity: Identity = {
    sub: payload.sub!,
    role: payload.role === "admin" ? "admin" : "user",
    scopes,
    client_id: typeof payload.client_id === "string" ? payload.client_id : undefined,
    jti: payload.jti,
  };
  remember(token, identity, payload.exp);
  return identity;
}
