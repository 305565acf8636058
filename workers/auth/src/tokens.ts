import { SignJWT } from "jose";
import { SCOPES, type Scope } from "#core";
import type { Env } from "./env";
import { signingKeys } from "./keys";

/** Access-token lifetime: at most 15 minutes, so a stolen token is short-lived. */
export const ACCESS_TOKEN_TTL_SECONDS = 900;
/** Refresh-token lifetime: each use rotates it and restarts the clock; the family ends on logout or reuse. */
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

export const ALL_SCOPES = SCOPES.join(" ");

export interface AccessClaims {
  sub: string;
  role: "user" | "admin";
  scopes: readonly Scope[];
  clientId?: string;
}

/** An RFC 9068-style JWT access token signed with the current key; `kid` names the key in the JWKS. */
export async function signAccessToken(env: Env, claims: AccessClaims, now = Math.floor(Date.now() / 1000)) {
  const [current] = await signingKeys(env.JWT_SIGNING_KEYS);
  const payload: Record<string, unknown> = { scope: claims.scopes.join(" "), role: claims.role };
  if (claims.clientId) payload.client_id = claims.clientId;
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: current.alg, kid: current.kid, typ: "at+jwt" })
    .setIssuer(env.ISSUER)
    .setAudience(env.AUDIENCE)
    .setSubject(claims.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ACCESS_TOKEN_TTL_SECONDS)
    .setJti(crypto.randomUUID())
    .sign(current.privateKey);
  return { token, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/** 256 random bits, base64url, behind a recognisable prefix (secret scanners can spot leaked ones). */
export const opaqueToken = (prefix: "eft_rt" | "eft_cs") => `${prefix}_${b64url(crypto.getRandomValues(new Uint8Array(32)))}`;

/** Refresh tokens and client secrets are high-entropy, so a fast hash is enough to store them. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Scopes named in a space-separated string, or undefined when one is unknown. */
export function parseScopes(text: string): Scope[] | undefined {
  const names = text.split(" ").filter(Boolean);
  if (!names.every((n) => (SCOPES as readonly string[]).includes(n))) return undefined;
  return [...new Set(names)] as Scope[];
}
