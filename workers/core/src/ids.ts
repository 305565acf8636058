const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

export type IdPrefix =
  | "usr"
  | "acc"
  | "txn"
  | "pay"
  | "bud"
  | "cli"
  | "imp"
  | "evt"
  | "cat"
  | "rul"
  | "rtk"
  | "fam"
  | "sch"
  | "whe"
  | "whd";

/** `prefix_` + 10 chars of millisecond time + 16 random chars: sorts by creation time, like a ULID. */
export function newId(prefix: IdPrefix, now = Date.now()): string {
  let time = "";
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let rand = "";
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `${prefix}_${time}${rand}`;
}
