import { exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { parseKeySet, publicJwk, signingKeys } from "./keys";

async function privateJwk(alg: "EdDSA" | "ES256", kid: string) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
  return { ...(await exportJWK(privateKey)), alg, kid };
}

describe("signing keys", () => {
  it("publishes only the public members, first key signs", async () => {
    const current = await privateJwk("EdDSA", "k2");
    const previous = await privateJwk("ES256", "k1");
    const keys = await signingKeys(JSON.stringify([current, previous]));
    expect(keys.map((k) => k.kid)).toEqual(["k2", "k1"]);
    expect(keys[0].publicJwk).toEqual({ kty: "OKP", crv: "Ed25519", x: current.x, kid: "k2", alg: "EdDSA", use: "sig" });
    expect(keys[1].publicJwk).toEqual({ kty: "EC", crv: "P-256", x: previous.x, y: previous.y, kid: "k1", alg: "ES256", use: "sig" });
    expect(JSON.stringify(keys.map((k) => k.publicJwk))).not.toContain('"d"');
  });

  it("refuses missing, symmetric, public-only, kid-less and duplicate keys", async () => {
    const k = await privateJwk("EdDSA", "a");
    expect(() => parseKeySet(undefined)).toThrow(/not set/);
    expect(() => parseKeySet("[]")).toThrow(/non-empty/);
    expect(() => parseKeySet(JSON.stringify([{ kty: "oct", k: "c2VjcmV0", alg: "HS256", kid: "h" }]))).toThrow(/EdDSA or ES256/);
    expect(() => parseKeySet(JSON.stringify([{ ...k, d: undefined }]))).toThrow(/private/);
    expect(() => parseKeySet(JSON.stringify([{ ...k, kid: undefined }]))).toThrow(/kid/);
    expect(() => parseKeySet(JSON.stringify([k, k]))).toThrow(/duplicate/);
    expect(() => publicJwk({ kty: "RSA", kid: "r", alg: "RS256" })).toThrow(/unsupported/);
  });
});
