// Authentication safety over real HTTP against the multi-worker `wrangler dev`: concurrent refreshes of
// one token leave nothing of its family alive, failures from one address never lock the owner out from
// another, and wrong current passwords and sign-ups are throttled.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { call, expectProblem } from "./helpers";

const ROOT = path.resolve(__dirname, "../..");
const PASSWORD = "an e2e passphrase that is long";
let n = 0;
const uniqueEmail = () => `safety-${Date.now().toString(36)}-${n++}@example.net`;
// The stack keeps a client-sent CF-Connecting-IP, so each test can be its own client address.
let ipCounter = 0;
const freshIp = () => `198.18.${100 + Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;
const from = (ip: string) => ({ "cf-connecting-ip": ip });

async function register(email = uniqueEmail(), ip = freshIp()) {
  const res = await call("/v1/auth/register", { method: "POST", json: { email, password: PASSWORD, name: "E2E" }, headers: from(ip) });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${res.text}`);
  return { ...res.body, email } as { user: { id: string }; access_token: string; refresh_token: string; email: string };
}
const login = (email: string, password: string, ip: string) =>
  call("/v1/auth/login", { method: "POST", json: { email, password }, headers: from(ip) });
const refresh = (token: string) => call("/v1/auth/refresh", { method: "POST", json: { refresh_token: token } });

/** The sign-up limit of this stack: global-setup puts it in the auth worker's local .dev.vars. */
function registerLimit() {
  const text = readFileSync(path.join(ROOT, "workers/auth/.dev.vars"), "utf8");
  return Number(/^REGISTER_MAX_PER_IP=(\d+)/m.exec(text)?.[1] ?? 10);
}

describe("auth safety over real HTTP", () => {
  it("parallel refreshes of one token: at most one succeeds, and afterwards every token of the family answers 401", async () => {
    for (let round = 0; round < 3; round++) {
      const s = await register();
      const results = await Promise.all(Array.from({ length: 8 }, () => refresh(s.refresh_token)));
      const winners = results.filter((r) => r.status === 200);
      expect(winners.length).toBeLessThanOrEqual(1);
      for (const r of results) if (r.status !== 200) expectProblem(r, 401, "unauthorized");
      for (const token of [s.refresh_token, ...winners.map((w) => w.body.refresh_token as string)])
        expectProblem(await refresh(token), 401, "unauthorized");
    }
  });

  it("5 failures for an email from one address throttle that address only: the owner signs in from another", async () => {
    const s = await register();
    const attacker = freshIp();
    for (let i = 0; i < 5; i++) expectProblem(await login(s.email, `wrong password ${i}`, attacker), 401, "unauthorized");
    const locked = expectProblem(await login(s.email, PASSWORD, attacker), 429, "rate_limited");
    expect(locked.status).toBe(429);
    const again = await login(s.email, PASSWORD, attacker);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(again.headers.get("ratelimit-remaining")).toBe("0");
    const owner = await login(s.email, PASSWORD, freshIp());
    expect(owner.status, owner.text).toBe(200);
    expect(owner.body.user.id).toBe(s.user.id);
  });

  it("10 wrong current passwords, then 429 with Retry-After and RateLimit-*; the attempts are in the audit", async () => {
    const s = await register();
    const change = (current: string) =>
      call("/v1/users/me/password", {
        method: "POST",
        token: s.access_token,
        json: { current_password: current, new_password: "a brand new passphrase" },
      });
    for (let i = 0; i < 10; i++) expectProblem(await change(`guess number ${i}`), 422, "validation_failed");
    const locked = await change(PASSWORD);
    expectProblem(locked, 429, "rate_limited");
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(locked.headers.get("ratelimit-limit")).toBe("10");
    expect(locked.headers.get("ratelimit-remaining")).toBe("0");
    expect(locked.headers.get("ratelimit-reset")).toBe(String(retryAfter));
    const audit = await call("/v1/users/me/audit?limit=100", { token: s.access_token });
    const types: string[] = audit.body.data.map((e: { type: string }) => e.type);
    expect(types.filter((t) => t === "password_change_failed")).toHaveLength(10);
    expect(types).toContain("password_change_throttled");
  });

  it("sign-ups are limited per address: 429 with Retry-After past the limit, another address still registers", async () => {
    const limit = registerLimit();
    const ip = freshIp();
    const s = await register(uniqueEmail(), ip);
    // Taken emails (409, no hash) count too; sent in small parallel batches.
    for (let done = 1; done < limit; ) {
      const batch = Math.min(10, limit - done);
      const answers = await Promise.all(
        Array.from({ length: batch }, () =>
          call("/v1/auth/register", { method: "POST", json: { email: s.email, password: PASSWORD, name: "Twin" }, headers: from(ip) }),
        ),
      );
      for (const a of answers) expectProblem(a, 409, "conflict");
      done += batch;
    }
    const limited = await call("/v1/auth/register", {
      method: "POST",
      json: { email: uniqueEmail(), password: PASSWORD, name: "Late" },
      headers: from(ip),
    });
    expectProblem(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("ratelimit-limit")).toBe(String(limit));
    expect((await register(uniqueEmail(), freshIp())).user.id).toMatch(/^usr_/);
  });
});
