// Authentication safety through the composed gateway: refresh-token reuse cannot be beaten by a race,
// nobody can lock an owner out from another address, and password guessing (current password, register
// CPU) is throttled per user and per address.
import { env } from "cloudflare:test";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { rotateRefreshToken } from "../../workers/auth/src/sessions";
import { api as call, type CallInit } from "./support";

const PASSWORD = "correct horse battery staple";
let n = 0;
const uniqueEmail = () => `safety${Date.now().toString(36)}${n++}@example.com`;
/** A fresh client address per call site, so one test's counts never reach another's. */
let ipCounter = 0;
const freshIp = () => `198.19.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

const api = (path: string, init: CallInit = {}) => call(path, { ...init, ip: init.ip ?? "203.0.113.250" });

type Session = { user: { id: string }; access_token: string; refresh_token: string; email: string };
async function register(email = uniqueEmail(), ip = freshIp()): Promise<Session> {
  const res = await api("/v1/auth/register", { method: "POST", json: { email, password: PASSWORD, name: "Ada" }, ip });
  expect(res.status, res.text).toBe(201);
  return { ...res.body, email };
}
const login = (email: string, password: string, ip: string) => api("/v1/auth/login", { method: "POST", json: { email, password }, ip });
const refresh = (token: string) => api("/v1/auth/refresh", { method: "POST", json: { refresh_token: token } });
const familyOf = async (userId: string) =>
  (
    await env.DB.prepare("select family_id, revoked_at from refresh_tokens where user_id = ?")
      .bind(userId)
      .all<{ family_id: string; revoked_at: string | null }>()
  ).results;

/**
 * A D1 binding that holds back the first statement matching `pattern` (alone or inside a batch) until
 * `release()`: a test can run other requests in between and so force one interleaving deterministically.
 */
function pausingD1(real: D1Database, pattern: RegExp) {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const reachedPause = new Promise<void>((r) => (reached = r));
  let paused = false;
  const gate = async (sql: string) => {
    if (paused || !pattern.test(sql)) return;
    paused = true;
    reached();
    await released;
  };
  const inner = new WeakMap<object, { stmt: D1PreparedStatement; sql: string }>();
  const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const w = {
      bind: (...values: unknown[]) => wrap(stmt.bind(...values), sql),
      run: async () => (await gate(sql), stmt.run()),
      all: async () => (await gate(sql), stmt.all()),
      first: async (col?: string) => (await gate(sql), col === undefined ? stmt.first() : stmt.first(col)),
      raw: async (opts?: { columnNames?: boolean }) => (await gate(sql), stmt.raw(opts as { columnNames: true })),
    };
    inner.set(w, { stmt, sql });
    return w as unknown as D1PreparedStatement;
  };
  const db = {
    prepare: (sql: string) => wrap(real.prepare(sql), sql),
    batch: async (stmts: D1PreparedStatement[]) => {
      const parts = stmts.map((s) => inner.get(s)!);
      for (const p of parts) await gate(p.sql);
      return real.batch(parts.map((p) => p.stmt));
    },
    exec: (sql: string) => real.exec(sql),
  };
  return { db: db as unknown as D1Database, reached: reachedPause, release };
}

describe("refresh-token reuse cannot be beaten by a race", () => {
  it("N parallel refreshes of one token over HTTP: at most one succeeds, then every token of the family answers 401", async () => {
    for (let round = 0; round < 3; round++) {
      const s = await register();
      const results = await Promise.all(Array.from({ length: 8 }, () => refresh(s.refresh_token)));
      const winners = results.filter((r) => r.status === 200);
      expect(winners.length).toBeLessThanOrEqual(1);
      for (const r of results) if (r.status !== 200) expect(r.body.code).toBe("unauthorized");
      // A reuse was detected: whatever the timing, nothing of the family works any more.
      for (const token of [s.refresh_token, ...winners.map((w) => w.body.refresh_token as string)])
        expect((await refresh(token)).status, "a token of the revoked family still works").toBe(401);
      const rows = await familyOf(s.user.id);
      expect(
        rows.filter((r) => r.revoked_at === null),
        "live tokens left in the family",
      ).toEqual([]);
    }
  });

  it("winner claims, loser detects reuse and revokes, winner then writes its successor: the successor is dead", async () => {
    const s = await register();
    // Hold the winner back right before it writes its successor; the loser runs meanwhile.
    const paused = pausingD1(env.DB, /^insert into "?refresh_tokens"?/i);
    const winner = rotateRefreshToken(drizzle(paused.db), s.refresh_token);
    await paused.reached;
    const loser = await rotateRefreshToken(drizzle(env.DB), s.refresh_token);
    paused.release();
    const won = await winner;

    const outcomes = [won, loser];
    expect(outcomes.filter((o) => o.ok).length).toBeLessThanOrEqual(1);
    expect(outcomes.some((o) => !o.ok && o.reason === "reused")).toBe(true);
    for (const o of outcomes) if (o.ok) expect((await refresh(o.token)).status, "the successor outlived the revocation").toBe(401);
    expect((await familyOf(s.user.id)).filter((r) => r.revoked_at === null)).toEqual([]);
  });

  it("a reuse that arrives after the winner's rotation revokes the winner's successor", async () => {
    const s = await register();
    const first = await rotateRefreshToken(drizzle(env.DB), s.refresh_token);
    expect(first.ok).toBe(true);
    const again = await rotateRefreshToken(drizzle(env.DB), s.refresh_token);
    expect(again).toMatchObject({ ok: false, reason: "reused" });
    if (first.ok) expect((await refresh(first.token)).status).toBe(401);
  });

  it("a logout that lands between a refresh's checks and its write leaves no live successor", async () => {
    const s = await register();
    const paused = pausingD1(env.DB, /^insert into "?refresh_tokens"?/i);
    const pending = rotateRefreshToken(drizzle(paused.db), s.refresh_token);
    await paused.reached;
    expect((await api("/v1/auth/logout", { method: "POST", json: { refresh_token: s.refresh_token } })).status).toBe(204);
    paused.release();
    expect(await pending).toMatchObject({ ok: false, reason: "invalid" });
    expect((await familyOf(s.user.id)).filter((r) => r.revoked_at === null)).toEqual([]);
  });

  it("a token whose family holds a revoked token is refused at use time", async () => {
    const s = await register();
    const next = await refresh(s.refresh_token);
    expect(next.status).toBe(200);
    // A live token beside a revoked one in one family (as a successor written after a revocation would be).
    await env.DB.prepare("update refresh_tokens set revoked_at = ? where user_id = ? and used_at is not null")
      .bind(new Date().toISOString(), s.user.id)
      .run();
    expect((await refresh(next.body.refresh_token)).status).toBe(401);
  });
});

describe("failed logins from one address never lock the owner out elsewhere", () => {
  it("5 failures for an email from address A: A is throttled for that email, the owner signs in from B", async () => {
    const s = await register();
    const attacker = freshIp();
    for (let i = 0; i < 5; i++) expect((await login(s.email, `wrong password ${i}`, attacker)).status).toBe(401);
    const locked = await login(s.email, PASSWORD, attacker);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe("rate_limited");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(locked.headers.get("ratelimit-remaining")).toBe("0");

    const owner = await login(s.email, PASSWORD, freshIp());
    expect(owner.status, owner.text).toBe(200);
    expect(owner.body.user.id).toBe(s.user.id);
  });

  it("many addresses failing for one email still leave the owner's address alone", async () => {
    const s = await register();
    for (let a = 0; a < 6; a++) {
      const ip = freshIp();
      for (let i = 0; i < 5; i++) expect((await login(s.email, "wrong password 123", ip)).status).toBe(401);
    }
    expect((await login(s.email, PASSWORD, freshIp())).status).toBe(200);
  });

  it("counts an IPv6 client by its /64: rotating addresses inside one prefix does not escape the limit", async () => {
    const s = await register();
    for (let i = 1; i <= 5; i++) expect((await login(s.email, "wrong password 123", `2001:db8:77:1::${i}`)).status).toBe(401);
    expect((await login(s.email, PASSWORD, "2001:db8:77:1:ffff::9")).status).toBe(429);
    expect((await login(s.email, PASSWORD, "2001:db8:77:2::1")).status).toBe(200);
  });

  it("an unknown email is indistinguishable: same status, body and headers on failure and when throttled", async () => {
    const s = await register();
    const ghost = uniqueEmail();
    const ipKnown = freshIp();
    const ipGhost = freshIp();
    const shape = (r: Awaited<ReturnType<typeof api>>) => ({
      status: r.status,
      body: { ...r.body, request_id: undefined },
      headers: [...r.headers.keys()].filter((k) => k !== "x-request-id").sort(),
      retryAfter: r.headers.get("retry-after"),
    });
    for (let i = 0; i < 6; i++) {
      const known = await login(s.email, "wrong password 123", ipKnown);
      const unknown = await login(ghost, "wrong password 123", ipGhost);
      expect(shape(unknown)).toEqual(shape(known));
      expect(known.status).toBe(i < 5 ? 401 : 429);
    }
  });
});

describe("online guessing is throttled", () => {
  it("POST /v1/users/me/password: 10 wrong current passwords in the window, then 429 with Retry-After and RateLimit-*, audited", async () => {
    const s = await register();
    const change = (current: string) =>
      api("/v1/users/me/password", {
        method: "POST",
        token: s.access_token,
        json: { current_password: current, new_password: "a brand new passphrase" },
        ip: freshIp(),
      });
    for (let i = 0; i < 10; i++) {
      const res = await change(`guess number ${i}`);
      expect(res.status, res.text).toBe(422);
      expect(res.body.code).toBe("validation_failed");
    }
    const locked = await change(PASSWORD); // even the right one waits
    expect(locked.status, locked.text).toBe(429);
    expect(locked.body.code).toBe("rate_limited");
    expect(locked.headers.get("content-type")).toBe("application/problem+json");
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(locked.headers.get("ratelimit-limit")).toBe("10");
    expect(locked.headers.get("ratelimit-remaining")).toBe("0");
    expect(Number(locked.headers.get("ratelimit-reset"))).toBe(retryAfter);
    expect((await change(PASSWORD)).status).toBe(429);
    // The password did not change.
    expect((await login(s.email, PASSWORD, freshIp())).status).toBe(200);

    const audit = await api("/v1/users/me/audit?limit=100", { token: s.access_token });
    const types = audit.body.data.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t === "password_change_failed")).toHaveLength(10);
    expect(types.filter((t: string) => t === "password_change_throttled")).toHaveLength(1);
    // Another user is not affected.
    const other = await register();
    const ok = await api("/v1/users/me/password", {
      method: "POST",
      token: other.access_token,
      json: { current_password: PASSWORD, new_password: "a brand new passphrase" },
    });
    expect(ok.status).toBe(204);
  });

  it("parallel wrong current passwords cannot slip past the limit", async () => {
    const s = await register();
    const results = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        api("/v1/users/me/password", {
          method: "POST",
          token: s.access_token,
          json: { current_password: `guess ${i} xx`, new_password: "a brand new passphrase" },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 422).length).toBeLessThanOrEqual(10);
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(4);
  });

  it("POST /v1/auth/register is limited per address (429 with Retry-After); another address still registers", async () => {
    const limit = Number(env.REGISTER_MAX_PER_IP ?? 10);
    const ip = freshIp();
    const s = await register(uniqueEmail(), ip);
    // Cheap attempts (409) count too: the limit is on calls, not on new accounts.
    for (let i = 1; i < limit; i++) {
      const res = await api("/v1/auth/register", { method: "POST", json: { email: s.email, password: PASSWORD, name: "Twin" }, ip });
      expect(res.status, `attempt ${i + 1}`).toBe(409);
    }
    const limited = await api("/v1/auth/register", {
      method: "POST",
      json: { email: uniqueEmail(), password: PASSWORD, name: "Late" },
      ip,
    });
    expect(limited.status, limited.text).toBe(429);
    expect(limited.body.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("ratelimit-limit")).toBe(String(limit));
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    expect((await register(uniqueEmail(), freshIp())).user.id).toMatch(/^usr_/);
  });
});
