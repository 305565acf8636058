import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether a presented secret equals the configured one, in time that depends on neither: both are
 * hashed first, so the comparison always runs over 32 bytes whatever their lengths.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
