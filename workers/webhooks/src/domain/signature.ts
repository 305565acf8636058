/**
 * Standard Webhooks signing: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
 * under the secret's bytes (`whsec_` + base64). During a rotation both secrets sign, space-separated,
 * so a receiver holding either one verifies.
 */
export const SECRET_PREFIX = "whsec_";

/** What is signed: the event id, the attempt's Unix seconds and the exact body. */
export const signedContent = (id: string, timestamp: number, body: string) => `${id}.${timestamp}.${body}`;

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export function newSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** The key bytes of a secret (the prefix stripped, base64 decoded). */
export const secretBytes = (secret: string) => fromBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);

/** One `v1,<base64>` signature. */
export async function sign(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", secretBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(signedContent(id, timestamp, body)));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

/** The `webhook-signature` header: one signature per secret still signing, space-separated. */
export async function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): Promise<string> {
  return (await Promise.all(secrets.map((s) => sign(s, id, timestamp, body)))).join(" ");
}

/** The secrets that sign at `now`: the current one, and the previous one until its overlap ends. */
export function signingSecrets(e: { secret: string; previousSecret: string | null; previousSecretExpiresAt: string | null }, now: Date) {
  return e.previousSecret && e.previousSecretExpiresAt && Date.parse(e.previousSecretExpiresAt) > now.getTime()
    ? [e.secret, e.previousSecret]
    : [e.secret];
}

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
