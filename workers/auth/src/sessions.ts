import { and, eq, isNull, sql } from "drizzle-orm";
import type { drizzle } from "drizzle-orm/d1";
import { refreshTokens, users } from "../../../db/schema";
import { newId, SCOPES } from "#core";
import { scrubbed } from "#core";
import type { Env } from "./env";
import { ALL_SCOPES, REFRESH_TOKEN_TTL_SECONDS, opaqueToken, parseScopes, sha256Hex, signAccessToken } from "./tokens";
import { toUser } from "#core";

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

/** Every revocation is of a whole family or wider, so one revoked token means the family is dead. */
const familyRevoked = sql<number>`exists (select 1 from refresh_tokens f where f.family_id = refresh_tokens.family_id and f.revoked_at is not null)`;

async function rotate(db: Db, presented: string): Promise<Rotation> {
  if (!presented.startsWith("eft_rt_") || presented.length > 200) return { ok: false, reason: "invalid" };
  const found = await db
    .select({ token: refreshTokens, familyRevoked })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, await sha256Hex(presented)))
    .get();
  if (!found) return { ok: false, reason: "invalid" };
  const old = found.token;
  if (old.revokedAt || found.familyRevoked) return { ok: false, reason: "invalid", old };
  if (old.usedAt) {
    await revokeFamily(db, old.familyId);
    return { ok: false, reason: "reused", old };
  }
  if (old.expiresAt <= new Date().toISOString()) return { ok: false, reason: "expired", old };
  const user = await db.select().from(users).where(eq(users.id, old.userId)).get();
  if (!user || user.status !== "active") return { ok: false, reason: "invalid", old };

  const scope = (parseScopes(old.scope) ?? []).join(" ");
  const next = await newRefreshToken(old.userId, { familyId: old.familyId, scope, clientId: old.clientId });
  const r = next.row;
  // One transaction writes the successor only if the presented token is still unused and its family
  // unrevoked, and claims the token. Of concurrent uses only one can pass; a revocation (reuse detected
  // by a loser, logout, password change) lands either before it, and no successor is written, or after
  // it, and revokes the successor with the rest of the family.
  const d1 = db.$client;
  const [inserted] = await d1.batch([
    d1
      .prepare(
        `insert into refresh_tokens (id, user_id, family_id, token_hash, client_id, scope, expires_at, created_at)
         select ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
         where exists (select 1 from refresh_tokens where id = ?9 and used_at is null and revoked_at is null)
           and not exists (select 1 from refresh_tokens where family_id = ?3 and revoked_at is not null)`,
      )
      .bind(r.id, r.userId, r.familyId, r.tokenHash, r.clientId, r.scope, r.expiresAt, r.createdAt, old.id),
    d1
      .prepare("update refresh_tokens set used_at = ?1 where id = ?2 and used_at is null and revoked_at is null")
      .bind(new Date().toISOString(), old.id),
  ]);
  if (inserted.meta.changes !== 1) {
    const now = await db.select({ usedAt: refreshTokens.usedAt }).from(refreshTokens).where(eq(refreshTokens.id, old.id)).get();
    // Revoked meanwhile (logout, password change) without being used: simply invalid.
    if (!now?.usedAt) return { ok: false, reason: "invalid", old };
    // Another use claimed it first: a reuse.
    await revokeFamily(db, old.familyId);
    return { ok: false, reason: "reused", old };
  }
  return { ok: true, user, old, token: next.token, scope };
}
