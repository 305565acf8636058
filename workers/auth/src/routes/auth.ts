import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { auditEvents, refreshTokens, users } from "../../../../db/schema";
import { ApiError, defineRoute, isUniqueViolation, jsonBody, jsonResponse, newId, problemDoc, z } from "#core";
import { MAX_PASSWORD_LENGTH, hashPassword, needsRehash, newPasswordField, verifyPassword } from "#core/password";
import { audit } from "../audit";
import { auditRow } from "#core";
import { scrubbed } from "#core";
import type { AuthApp } from "../env";
import { beginLogin, countRegistration } from "../login-guard";
import { newRefreshToken, revokeFamily, rotateRefreshToken, sessionBody } from "../sessions";
import { sha256Hex } from "../tokens";
import { normaliseEmail, userSchema, userStateOf } from "#core";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

const emailField = z.email().max(254).openapi({ example: "ada@example.com" });

const sessionSchema = z
  .object({
    user: userSchema,
    access_token: z.string().openapi({ description: "JWT (EdDSA), valid for expires_in seconds" }),
    refresh_token: z.string().openapi({ description: "opaque; single use: every refresh returns a new one" }),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().openapi({ example: 900 }),
  })
  .openapi("Session");

const refreshBody = z.strictObject({ refresh_token: z.string().min(1).max(512) });

// ── POST /v1/auth/register ──────────────────────────────────────────────────
export const register = defineRoute({
  method: "post",
  path: "/v1/auth/register",
  tags: ["auth"],
  summary: "Create an account and sign in",
  description: "Calls are limited per client address (429 with Retry-After).",
  scope: null,
  request: jsonBody(
    z.strictObject({
      email: emailField,
      password: newPasswordField,
      name: z.string().trim().min(1).max(100).openapi({ example: "Ada Lovelace" }),
    }),
  ),
  responses: {
    201: jsonResponse(sessionSchema, "The new user, signed in"),
    409: problemDoc("The email is already registered (code conflict)"),
    429: problemDoc("Too many sign-ups from this client address (Retry-After)"),
  },
});

// ── POST /v1/auth/login ─────────────────────────────────────────────────────
export const login = defineRoute({
  method: "post",
  path: "/v1/auth/login",
  tags: ["auth"],
  summary: "Sign in with email and password",
  description:
    "Wrong credentials answer 401 whether or not the email exists; repeated failures for an email from one client address, or from one address across emails, answer 429 with Retry-After (other addresses are not affected).",
  scope: null,
  request: jsonBody(z.strictObject({ email: z.string().max(254), password: z.string().max(MAX_PASSWORD_LENGTH) })),
  responses: {
    200: jsonResponse(sessionSchema, "Signed in"),
    401: problemDoc("Wrong email or password (same answer whether or not the email exists)"),
    403: problemDoc("The account is suspended"),
  },
});

// ── POST /v1/auth/refresh ───────────────────────────────────────────────────
export const refresh = defineRoute({
  method: "post",
  path: "/v1/auth/refresh",
  tags: ["auth"],
  summary: "Exchange a refresh token for a new pair (rotation)",
  description: "Each refresh token works once. Presenting one that was already used answers 401 and revokes every token of its family.",
  scope: null,
  request: jsonBody(refreshBody),
  responses: {
    200: jsonResponse(sessionSchema, "A new access token and a new refresh token"),
    401: problemDoc("Unknown, expired, revoked or reused refresh token"),
  },
});

// ── POST /v1/auth/logout ────────────────────────────────────────────────────
export const logout = defineRoute({
  method: "post",
  path: "/v1/auth/logout",
  tags: ["auth"],
  summary: "End the session of a refresh token (revokes its family)",
  scope: null,
  request: jsonBody(refreshBody),
  responses: { 204: { description: "Signed out (also when the token was unknown)" } },
});

/** Set by the gateway from the connection (client-sent x-ef-* headers are stripped there). */
const clientIp = (c: Context<AuthApp>) => c.req.header("x-ef-client-ip") ?? "unknown";

const invalidCredentials = () => new ApiError("unauthorized", "The email or password is incorrect.");

export function mountAuthRoutes(app: OpenAPIHono<AuthApp>) {
  app.openapi(register, async (c) => {
    const body = c.req.valid("json");
    // Counted before anything else, even a taken email: each call may cost a scrypt hash.
    await countRegistration(c.env, clientIp(c));
    const db = drizzle(c.env.DB);
    const email = normaliseEmail(body.email);
    const taken = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
    if (taken) throw new ApiError("conflict", "An account with this email already exists.");

    const now = new Date().toISOString();
    const user = {
      id: newId("usr"),
      email,
      name: body.name,
      passwordHash: await hashPassword(body.password),
      role: "user" as const,
      status: "active" as const,
      locale: "en",
      timezone: "UTC",
      baseCurrency: "EUR",
      taxResidence: null,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    const session = await newRefreshToken(user.id);
    try {
      await scrubbed(
        db.batch([
          db.insert(users).values(user),
          db.insert(refreshTokens).values(session.row),
          db.insert(auditEvents).values(auditRow(c, "register", user.id)),
        ]),
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new ApiError("conflict", "An account with this email already exists.");
      throw e;
    }
    // The gateway asks this object, not D1, for the caller's state. Should the write fail, the object
    // fills itself from the row above on the user's first request instead.
    await userStateOf(c.env, user.id)
      .init(user.id, { status: "active", role: "user" })
      .catch(() => undefined);
    return c.json(await sessionBody(c.env, user, session.token), 201, NO_STORE);
  });

  app.openapi(login, async (c) => {
    const body = c.req.valid("json");
    const email = normaliseEmail(body.email);
    const guard = await beginLogin(c.env, email, clientIp(c));

    const db = drizzle(c.env.DB);
    const user = email ? await db.select().from(users).where(eq(users.email, email)).get() : undefined;
    // Unknown emails are checked against a dummy hash: same answer, similar time.
    const ok = await verifyPassword(body.password, user?.status === "deleted" ? null : user?.passwordHash);
    if (!ok || !user) {
      await audit(c, "login_failed", user?.id ?? null);
      throw invalidCredentials();
    }
    await guard.succeeded();
    if (user.status !== "active") throw new ApiError("forbidden", "This account is suspended.");
    // A role or status written to D1 outside the API (admin:create) reaches the gateway from here on.
    await userStateOf(c.env, user.id).reload(user.id);

    const session = await newRefreshToken(user.id);
    await scrubbed(db.batch([db.insert(refreshTokens).values(session.row), db.insert(auditEvents).values(auditRow(c, "login", user.id))]));
    // Parameters raised since this hash was made: upgrade it now that the password is at hand.
    if (user.passwordHash && needsRehash(user.passwordHash))
      await scrubbed(
        db
          .update(users)
          .set({ passwordHash: await hashPassword(body.password) })
          .where(eq(users.id, user.id)),
      );
    return c.json(await sessionBody(c.env, user, session.token), 200, NO_STORE);
  });

  app.openapi(refresh, async (c) => {
    const db = drizzle(c.env.DB);
    const result = await rotateRefreshToken(db, c.req.valid("json").refresh_token);
    if (!result.ok) {
      if (result.reason === "reused") await audit(c, "refresh_reuse", result.old!.userId, { family: result.old!.familyId });
      throw new ApiError(
        "unauthorized",
        result.reason === "reused"
          ? "This refresh token was already used; its session is revoked."
          : "The refresh token is invalid or expired.",
      );
    }
    if (result.old.clientId) throw new ApiError("unauthorized", "The refresh token is invalid or expired.");
    await userStateOf(c.env, result.user.id).reload(result.user.id);
    return c.json(await sessionBody(c.env, result.user, result.token), 200, NO_STORE);
  });

  app.openapi(logout, async (c) => {
    const db = drizzle(c.env.DB);
    const token = c.req.valid("json").refresh_token;
    const row = await scrubbed(
      db
        .select({ familyId: refreshTokens.familyId, userId: refreshTokens.userId, revokedAt: refreshTokens.revokedAt })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, await sha256Hex(token)))
        .get(),
    );
    if (row && !row.revokedAt) {
      await revokeFamily(db, row.familyId);
      await audit(c, "logout", row.userId);
    }
    return c.body(null, 204);
  });
}
