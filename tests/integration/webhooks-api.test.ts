// The webhooks worker through the gateway: endpoints (secret shown once, SSRF refusals as 422 naming
// the field, foreign ids 404), rotation, events of the caller only, deliveries and their retry.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ledgerStub } from "#core";
import { LOOPBACK_SPELLINGS } from "../../workers/webhooks/src/domain/loopback-spellings";
import { api, createAccount, createUser, expectProblem } from "./support";

const endpoints = "/v1/webhooks/endpoints";
const post = (path: string, token: string, json?: unknown) => api(path, { method: "POST", token, json });
const register = (token: string, json: unknown) => post(endpoints, token, json);
const hook = { url: "https://hooks.example.com/edge", events: ["payment.completed", "transaction.created"] };

describe("webhook endpoints", () => {
  it("register shows the secret once; list, get, patch, rotate and delete; another user's ids are 404", async () => {
    const u = await createUser();
    const other = await createUser();
    const created = await register(u.token, { ...hook, description: "books" });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ ...hook, description: "books", status: "enabled", id: expect.stringMatching(/^whe_/) });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const id = created.body.id as string;

    const got = await api(`${endpoints}/${id}`, { token: u.token });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty("secret");
    expect((await api(endpoints, { token: u.token })).body).toEqual({ data: [got.body], next_cursor: null });

    const patched = await api(`${endpoints}/${id}`, {
      method: "PATCH",
      token: u.token,
      json: { events: ["payment.failed"], status: "disabled" },
    });
    expect(patched.body).toMatchObject({ events: ["payment.failed"], status: "disabled", url: hook.url });

    const rotated = await post(`${endpoints}/${id}/rotate-secret`, u.token);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const row = await env.DB.prepare("SELECT secret, previous_secret, previous_secret_expires_at FROM webhook_endpoints WHERE id = ?")
      .bind(id)
      .first<any>();
    expect(row).toMatchObject({ secret: rotated.body.secret, previous_secret: created.body.secret });
    const overlap = Date.parse(row.previous_secret_expires_at) - Date.now();
    expect(overlap).toBeGreaterThan(23.9 * 3600_000);
    expect(overlap).toBeLessThanOrEqual(24 * 3600_000);

    for (const [method, path] of [
      ["GET", `${endpoints}/${id}`],
      ["PATCH", `${endpoints}/${id}`],
      ["DELETE", `${endpoints}/${id}`],
      ["POST", `${endpoints}/${id}/rotate-secret`],
      ["GET", `${endpoints}/${id}/deliveries`],
    ])
      expectProblem(
        await api(path, { method, token: other.token, json: method === "PATCH" ? { status: "enabled" } : undefined }),
        404,
        "not_found",
      );
    expect((await api(endpoints, { token: other.token })).body.data).toEqual([]);

    expect((await api(`${endpoints}/${id}`, { method: "DELETE", token: u.token })).status).toBe(204);
    expectProblem(await api(`${endpoints}/${id}`, { token: u.token }), 404, "not_found");
  });

  it("refuses bad bodies with 422 validation_failed and stores nothing", async () => {
    const u = await createUser();
    for (const body of [
      { url: "https://hooks.example.com/x", events: [] },
      { url: "https://hooks.example.com/x", events: ["payment.teleported"] },
      { url: "https://hooks.example.com/x", events: ["payment.failed", "payment.failed"] },
      { url: "https://hooks.example.com/x", events: ["payment.failed"], secret: "mine" },
      { events: ["payment.failed"] },
    ])
      expectProblem(await register(u.token, body), 422, "validation_failed");
    expect((await api(endpoints, { token: u.token })).body.data).toEqual([]);
  });

  it("refuses private, loopback, link-local and metadata URLs in every spelling, naming the url field", async () => {
    const u = await createUser();
    for (const url of [
      "http://hooks.example.com/plain-http",
      ...LOOPBACK_SPELLINGS,
      "https://[::1]/",
      "https://10.1.2.3/",
      "https://172.16.0.1/",
      "https://192.168.0.10/",
      "https://100.64.1.1/",
      "https://169.254.169.254/latest/meta-data/",
      "https://metadata.google.internal/",
      "https://localhost/",
      "https://app.localhost./",
      "https://[fe80::1]/",
      "https://[fd00::1]/",
      "https://224.0.0.1/",
      "https://0.0.0.0/",
      "https://hooks.example.com@127.0.0.1/",
      "http://127.0.0.2:8080/",
      "http://127.0.0.1/no-port",
    ]) {
      const body = expectProblem(await register(u.token, { url, events: ["payment.completed"] }), 422, "validation_failed");
      expect(body.errors?.[0]?.path, url).toBe("url");
    }
    const created = await register(u.token, hook);
    expectProblem(
      await api(`${endpoints}/${created.body.id}`, { method: "PATCH", token: u.token, json: { url: "https://192.168.1.1/" } }),
      422,
      "validation_failed",
    );
    // The stack's loopback flag (tests and `npm run dev` only) lets exactly these through.
    for (const url of ["http://127.0.0.1:9/hook", "http://localhost:9/hook", "https://127.0.0.1:9443/hook"])
      expect((await register(u.token, { url, events: ["payment.completed"] })).status, url).toBe(201);
  });

  it("needs accounts:write and transactions:read to register, transactions:read to list", async () => {
    const writer = await createUser({ scopes: ["accounts:write"] });
    expectProblem(await register(writer.token, hook), 403, "forbidden");
    const reader = await createUser({ scopes: ["accounts:read"] });
    expectProblem(await api(endpoints, { token: reader.token }), 403, "forbidden");
    expectProblem(await api(endpoints), 401, "unauthorized");
  });
});

describe("events", () => {
  it("lists only the caller's events, newest first, by type, paginated; another user's event is 404", async () => {
    const u = await createUser();
    const other = await createUser();
    const acc = await createAccount(u.id);
    for (let i = 0; i < 3; i++)
      expect(
        (await post(`/v1/accounts/${acc}/transactions`, u.token, { amount: 100 + i, description: `t${i}`, category: "income" })).status,
      ).toBe(201);
    await ledgerStub<any>(env.LEDGER as unknown as DurableObjectNamespace, acc).snapshot();
    const first = await api("/v1/events?limit=2", { token: u.token });
    expect(first.status).toBe(200);
    expect(first.body.data.map((e: any) => e.data.object.amount)).toEqual([102, 101]);
    expect(first.body.data[0]).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: "transaction.created",
      created_at: expect.any(String),
      data: { object: expect.any(Object) },
    });
    const second = await api(`/v1/events?limit=2&cursor=${first.body.next_cursor}`, { token: u.token });
    expect(second.body).toMatchObject({ data: [{ data: { object: { amount: 100 } } }], next_cursor: null });
    expect((await api("/v1/events?type=payment.completed", { token: u.token })).body.data).toEqual([]);
    expect((await api("/v1/events?type=transaction.created", { token: u.token })).body.data).toHaveLength(3);
    expect((await api("/v1/events?type=nope", { token: u.token })).status).toBe(400);

    const id = first.body.data[0].id;
    expect((await api(`/v1/events/${id}`, { token: u.token })).body).toEqual(first.body.data[0]);
    expectProblem(await api(`/v1/events/${id}`, { token: other.token }), 404, "not_found");
    expect((await api("/v1/events", { token: other.token })).body.data).toEqual([]);
  });
});

describe("deliveries", () => {
  it("lists an endpoint's deliveries; a retry answers 202 and queues it again; another user's delivery is 404", async () => {
    const u = await createUser();
    const other = await createUser();
    const created = await register(u.token, hook);
    const now = new Date().toISOString();
    await env.DB.prepare(
      "INSERT INTO events (id, user_id, type, data, created_at) VALUES ('evt_test1', ?, 'payment.completed', '{\"object\":{}}', ?)",
    )
      .bind(u.id, now)
      .run();
    await env.DB.prepare(
      "INSERT INTO webhook_deliveries (id, endpoint_id, user_id, event_id, event_type, status, attempts, last_status_code, created_at, updated_at) VALUES ('whd_test1', ?, ?, 'evt_test1', 'payment.completed', 'failed', 9, 500, ?, ?)",
    )
      .bind(created.body.id, u.id, now, now)
      .run();
    const list = await api(`${endpoints}/${created.body.id}/deliveries`, { token: u.token });
    expect(list.body).toEqual({
      data: [
        {
          id: "whd_test1",
          event_id: "evt_test1",
          event_type: "payment.completed",
          status: "failed",
          attempts: 9,
          last_status_code: 500,
          next_attempt_at: null,
          created_at: now,
        },
      ],
      next_cursor: null,
    });
    expectProblem(await post("/v1/webhooks/deliveries/whd_test1/retry", other.token), 404, "not_found");
    const retried = await post("/v1/webhooks/deliveries/whd_test1/retry", u.token);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: "whd_test1", status: "pending", attempts: 9 });
  });
});
