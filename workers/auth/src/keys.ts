import { importJWK, type CryptoKey, type JWK } from "jose";

/** Algorithms the gateway accepts (workers/gateway/src/tokens.ts): asymmetric only. */
const ALGORITHMS = new Set(["EdDSA", "ES256"]);
/** Public members per key type: everything else (notably `d`) stays private. */
const PUBLIC_MEMBERS: Record<string, string[]> = { OKP: ["kty", "crv", "x"], EC: ["kty", "crv", "x", "y"] };

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Only the public half of a JWK, with kid, alg and use. */
export function publicJwk(jwk: JWK & { kid: string; alg: string }): JWK {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ""];
  if (!members) throw new Error(`unsupported key type ${jwk.kty}`);
  const out: Record<string, unknown> = {};
  for (const m of members) out[m] = (jwk as Record<string, unknown>)[m];
  return { ...out, kid: jwk.kid, alg: jwk.alg, use: "sig" } as JWK;
}

/** Parses JWT_SIGNING_KEYS: a JSON array of private JWKs, first = current signing key. */
export function parseKeySet(raw: string | undefined): (JWK & { kid: string; alg: string })[] {
  if (!raw) throw new Error("JWT_SIGNING_KEYS is not set");
  const list = JSON.parse(raw) as unknown;
  if (!Array.isArray(list) || list.length === 0) throw new Error("JWT_SIGNING_KEYS must be a non-empty JSON array");
  const seen = new Set<string>();
  return list.map((k: JWK, i) => {
    const alg = k.alg ?? (k.kty === "OKP" ? "EdDSA" : k.kty === "EC" && k.crv === "P-256" ? "ES256" : "");
    if (!ALGORITHMS.has(alg)) throw new Error(`JWT_SIGNING_KEYS[${i}]: algorithm must be EdDSA or ES256`);
    if (typeof k.kid !== "string" || !k.kid) throw new Error(`JWT_SIGNING_KEYS[${i}]: kid is required`);
    if (seen.has(k.kid)) throw new Error(`JWT_SIGNING_KEYS[${i}]: duplicate kid`);
    if (typeof k.d !== "string") throw new Error(`JWT_SIGNING_KEYS[${i}]: not a private key`);
    seen.add(k.kid);
    return { ...k, alg, kid: k.kid };
  });
}

let cache: { raw: string; keys: Promise<SigningKey[]> } | undefined;

/** The imported key set, cached per isolate for as long as the secret does not change. */
export function signingKeys(raw: string | undefined): Promise<SigningKey[]> {
  if (cache && cache.raw === raw) return cache.keys;
  const keys = (async () =>
    Promise.all(
      parseKeySet(raw).map(async (jwk) => ({
        kid: jwk.kid,
        alg: jwk.alg,
        privateKey: (await importJWK(jwk, jwk.alg)) as CryptoKey,
        publicJwk: publicJwk(jwk),
      })),
    ))();
  cache = { raw: raw ?? "", keys };
  keys.catch(() => (cache = undefined));
  return keys;
}
