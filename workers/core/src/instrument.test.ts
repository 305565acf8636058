import { env } from "cloudflare:test";
import { drizzle } from "drizzle-orm/d1";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "./app";
import { instrumentEnv } from "./instrument";
import { ledgerStub, type LedgerRpc } from "./ledger";
import { LOG_SAMPLED_HEADER } from "./log";
import { newId } from "./ids";
import { newTimings, parseServerTiming } from "./server-timing";

afterEach(() => vi.restoreAllMocks());

describe("per-request binding instrumentation", () => {
  it("counts D1 statements through the binding and drizzle: a batch of k counts k, and D1 still runs them", async () => {
    const t = newTimings();
    const e = instrumentEnv({ DB: env.DB as D1Database }, t);
    expect(await e.DB.prepare("select ? as n").bind(1).first("n")).toBe(1);
    expect(t.d1.count).toBe(1);
    const [a, b, c] = await e.DB.batch([
      e.DB.prepare("select 1 as n"),
      e.DB.prepare("select 2 as n"),
      e.DB.prepare("select ? as n").bind(3),
    ]);
    expect([a, b, c].map((r) => (r.results[0] as { n: number }).n)).toEqual([1, 2, 3]);
    expect(t.d1.count).toBe(4);
    const db = drizzle(e.DB);
    expect(await db.get<{ n: number }>(sql`select 5 as n`)).toEqual({ n: 5 });
    await db.batch([db.run(sql`select 1`), db.run(sql`select 2`)]);
    expect(t.d1.count).toBe(7);
    expect(t.do.count).toBe(0);
    expect(t.d1.dur).toBeGreaterThanOrEqual(0);
  });

  it("counts Durable Object method calls on stubs got from a namespace, and the calls still answer", async () => {
    const t = newTimings();
    const e = instrumentEnv({ LEDGER: env.LEDGER as DurableObjectNamespace }, t);
    const id = newId("acc");
    const stub = ledgerStub<LedgerRpc>(e.LEDGER, id);
    await stub.open({ id, user_id: newId("usr"), currency: "EUR", overdraft_limit: 0, created_at: new Date().toISOString() });
    expect(await stub.balance()).toMatchObject({ current: 0, status: "open" });
    expect(t.do.count).toBe(2);
    expect(t.d1.count).toBe(0);
  });

  it("merges the Server-Timing a service binding answers with, and leaves other values alone", async () => {
    const t = newTimings();
    const fetcher = {
      [Symbol.toStringTag]: "Fetcher",
      fetch: async () => new Response("ok", { headers: { "server-timing": 'total;dur=9, d1;dur=2;desc="3", do;dur=1;desc="1"' } }),
    };
    const e = instrumentEnv({ SVC: fetcher as unknown as Fetcher, NAME: "x", N: undefined as string | undefined }, t);
    expect(await (await e.SVC.fetch("https://svc/")).text()).toBe("ok");
    expect(t).toEqual({ d1: { count: 3, dur: 2 }, do: { count: 1, dur: 1 } });
    expect([e.NAME, e.N]).toEqual(["x", undefined]);
  });
});

describe("the core factory's Server-Timing and log sampling", () => {
  function app() {
    const a = createApp<{ DB: D1Database; SERVER_TIMING?: string; LOG_SAMPLE_RATE?: string }>("test");
    a.get("/two", async (c) => {
      await c.env.DB.batch([c.env.DB.prepare("select 1"), c.env.DB.prepare("select 2")]);
      return c.json({ ok: true });
    });
    a.get("/none", (c) => c.json({ ok: true }));
    // What the gateway does with a domain worker's answer: passes it on, header included.
    a.get(
      "/relayed",
      () => new Response("{}", { headers: { "content-type": "application/json", "server-timing": 'total;dur=1, d1;dur=1;desc="4"' } }),
    );
    return a;
  }

  it("reports its own statements, writes total alone without I/O, and drops the header when SERVER_TIMING=off", async () => {
    const two = await app().request("/two", {}, { DB: env.DB });
    const entries = parseServerTiming(two.headers.get("server-timing"));
    expect(entries.map((x) => [x.name, x.desc])).toEqual([
      ["total", undefined],
      ["d1", "2"],
    ]);
    const none = await app().request("/none", {}, { DB: env.DB });
    expect(parseServerTiming(none.headers.get("server-timing")).map((x) => x.name)).toEqual(["total"]);
    const off = await app().request("/two", {}, { DB: env.DB, SERVER_TIMING: "off" });
    expect(off.status).toBe(200);
    expect(off.headers.get("server-timing")).toBeNull();
    expect((await app().request("/relayed", {}, { DB: env.DB, SERVER_TIMING: "off" })).headers.get("server-timing")).toBeNull();
    expect((await app().request("/relayed", {}, { DB: env.DB })).headers.get("server-timing")).toMatch(/^total;dur=[\d.]+$/);
  });

  it("logs an unsampled success not at all, and a success the gateway sampled even at rate 0", async () => {
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    await app().request("/none", {}, { DB: env.DB, LOG_SAMPLE_RATE: "0" });
    await app().request("/none", { headers: { [LOG_SAMPLED_HEADER]: "0" } }, { DB: env.DB, LOG_SAMPLE_RATE: "1" });
    expect(logs).not.toHaveBeenCalled();
    await app().request("/none", { headers: { [LOG_SAMPLED_HEADER]: "1" } }, { DB: env.DB, LOG_SAMPLE_RATE: "0" });
    expect(JSON.parse(String(logs.mock.calls[0][0]))).toMatchObject({ level: "info", status: 200, route: "/none" });
  });

  it("answers an unserved method 405 with the path's Allow list, and serves /internal/metrics only when not public", async () => {
    const res = await app().request("/none", { method: "PROPFIND" }, { DB: env.DB });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(((await res.json()) as { code: string }).code).toBe("method_not_allowed");
    expect((await app().request("/internal/metrics", {}, { DB: env.DB })).status).toBe(200);
    const pub = createApp("pub", { public: true });
    const hidden = await pub.request("/internal/metrics", {}, {});
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get("content-type")).toBe("application/problem+json");
  });
});
