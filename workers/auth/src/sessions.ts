import { and, eq, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { refreshTokens, users } from "../../../db/schema";
import { newId, SCOPES } from "../../core/src";
import { scrubbed } from "../../core/src";
import type { Env } from "./env";
import { ALL_SCOPES, REFRESH_TOKEN_TTL_SECONDS, opaqueToken, parseScopes, sha256Hex, signAccessToken } from "./tokens";
import { toUser } from "../../core/src";

type Db = ReturnType<typeof drizzle>;
type UserRow = typeof users.$inferSelect;
type RefreshRow = typeof refreshTokens.$inferSelect;

/** A new opaque refresh token and the row that stores only its hash. */
export async function newRefreshToken(userId: string, opts: { familyId?: string; scope?: string; clientId?: string | null } = {}) {
  const token = opaqueToken("eft_rt");
  const now = Date.now();
  const row = {
    id: newId("rtk"),
    userId,
    familyId: opts.familyId ?? newId("fam"),
    tokenHash: await sha256Hex(token),
    clientId: opts.clientId ?? null,
    scope: opts.scope ?? ALL_SCOPES,
    expiresAt: new Date(now + REFRESH_TOKEN_TTL_SECONDS * 1000).toISOString(),
    createdAt: new Date(now).toISOString(),
  };
  return { token, row };
}

/** The login/register/refresh answer: the user, a fresh access token and the refresh token. */
export async function sessionBody(env: Env, user: UserRow, refreshToken: string) {
  const { token, expiresIn } = await signAccessToken(env, { sub: user.id, role: user.role, scopes: SCOPES });
  return { user: toUser(user), access_token: token, refresh_token: refreshToken, token_type: "Bearer" as const, expires_in: expiresIn };
}

export async function revokeFamily(db: Db, familyId: string) {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date().toISOString() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

export type Rotation =
  | { ok: true; user: UserRow; old: RefreshRow; token: string; scope: string }
  | { ok: false; reason: "invalid" | "expired" | "reused"; old?: RefreshRow };

/**
 * Refresh-token rotation with reuse detection (RFC 9700 §4.14.2): a token works once; presenting one
 * that was already used revokes its whole family, since either the client or an attacker holds a copy.
 */
export function rotateRefreshToken(db: Db, presented: string): Promise<Rotation> {
  return scrubbed(rotate(db, presented));
}

async function rotate(db: Db, presented: string): Promise<Rotation> {
  if (!presented.startsWith("eft_rt_") || presented.length > 200) return { ok: false, reason: "invalid" };
  const old = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, await sha256Hex(presented))).get();
  if (!old) return { ok: false, reason: "invalid" };
  if (old.revokedAt) return { ok: false, reason: "invalid", old };
  if (old.usedAt) {
    await revokeFamily(db, old.familyId);
    return { ok: false, reason: "reused", old };
  }
  if (old.expiresAt <= new Date().toISOString()) return { ok: false, reason: "expired", old };
  const user = await db.select().from(users).where(eq(users.id, old.userId)).get();
  if (!user || user.status !== "active") return { ok: false, reason: "invalid", old };

  // Claim the token atomically: of two concurrent uses, only one wins; the other is a reuse.
  const claimed = await db
    .update(refreshTokens)
    .set({ usedAt: new Date().toISOString() })
    .where(and(eq(refreshTokens.id, old.id), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt)))
    .run();
  if (claimed.meta.changes !== 1) {
    await revokeFamily(db, old.familyId);
    return { ok: false, reason: "reused", old };
  }
  const scope = (parseScopes(old.scope) ?? []).join(" ");
  const next = await newRefreshToken(old.userId, { familyId: old.familyId, scope, clientId: old.clientId });
  await db.insert(refreshTokens).values(next.row);
  return { ok: true, user, old, token: next.token, scope };
}
