/// <reference types="node" />
/**
 * Password hashing and password policy, shared by the auth worker (register, login) and the users
 * worker (password change). Not re-exported from core's index: only the workers that need it pay for
 * the common-password list in their bundle.
 *
 * Stored format: `scrypt$N$r$p$salt$hash` (salt and hash in base64url), so the cost can be raised later
 * without breaking existing hashes (`needsRehash`).
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { z } from "@hono/zod-openapi";
import { dictionary } from "@zxcvbn-ts/language-common";

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** About 40 ms of CPU per hash; raise N here and old hashes still verify. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 14, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1024;

const b64url = (buf: Uint8Array) => Buffer.from(buf).toString("base64url");

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParams, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, keylen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt, params, KEY_LENGTH);
  return `scrypt$${params.N}$${params.r}$${params.p}$${b64url(salt)}$${b64url(hash)}`;
}

interface Parsed extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

function parse(stored: string): Parsed | undefined {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  // Refuse absurd parameters from a corrupt row rather than burning the CPU budget.
  if (![N, r, p].every(Number.isSafeInteger) || N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16)
    return undefined;
  const salt = Buffer.from(parts[4], "base64url");
  const hash = Buffer.from(parts[5], "base64url");
  if (salt.length < 8 || hash.length < 16) return undefined;
  return { N, r, p, salt, hash };
}

/** Constant-time check of `password` against a stored hash; false (never a throw) for malformed hashes. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parsed = stored ? parse(stored) : undefined;
  if (!parsed) {
    await dummyVerify(password);
    return false;
  }
  const candidate = await derive(password, parsed.salt, parsed, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/**
 * A hash of a random password nobody knows, with the default parameters: checking an unknown email
 * against it costs the same as checking a real user's password, so timing does not reveal which
 * emails are registered.
 */
const DUMMY_HASH = "scrypt$16384$8$1$RS4beq97-DvmToara_bB2w$Itp0RSlzpQrvZaJj450VPIIMICoJAbFZjuZU2pnwWuo";

export async function dummyVerify(password: string): Promise<false> {
  const parsed = parse(DUMMY_HASH)!;
  const candidate = await derive(password, parsed.salt, parsed, parsed.hash.length);
  timingSafeEqual(candidate, parsed.hash);
  return false;
}

/** True when the stored hash used weaker parameters than today's defaults (rehash after a successful login). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.N < params.N || parsed.r < params.r || parsed.p < params.p;
}

// ── policy ──────────────────────────────────────────────────────────────────
let common: Set<string> | undefined;

/** The bundled list of common passwords (@zxcvbn-ts/language-common, ~49 000 entries), lower case. */
export function commonPasswords(): Set<string> {
  common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return common;
}

export const isCommonPassword = (password: string) => commonPasswords().has(password.normalize("NFKC").toLowerCase());

/** Why a new password is refused, as field messages; empty when it is acceptable. */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (length > MAX_PASSWORD_LENGTH) problems.push(`must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (isCommonPassword(password)) problems.push("is too common: it appears in a list of frequently used passwords");
  else if (new Set(password).size < 3) problems.push("is too easy to guess: use more different characters");
  return problems;
}

/** A new password in a request body (sign-up, password change): the policy's refusals as field errors. */
export const newPasswordField = z
  .string()
  .max(MAX_PASSWORD_LENGTH)
  .superRefine((value, ctx) => {
    for (const message of passwordProblems(value)) ctx.addIssue({ code: "custom", message });
  })
  .openapi({ description: `at least ${MIN_PASSWORD_LENGTH} characters, not a common password`, example: "correct horse battery staple" });
