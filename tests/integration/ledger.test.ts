import { env, evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ledgerStub } from "#core";
import { api, auditAccounts, createAccount, createUser, projected } from "./support";

const stub = (id: string) => ledgerStub<any>(env.LEDGER as DurableObjectNamespace, id);

/** The ledger check over every account this test file created. */
const audit = () => auditAccounts();

const record = (token: string, account: string, json: unknown, idempotencyKey?: string) =>
  api(`/v1/accounts/${account}/transactions`, { method: "POST", token, json, idempotencyKey });
const pay = (token: string, json: unknown, key = crypto.randomUUID()) =>
  api("/v1/payments", { method: "POST", token, json, idempotencyKey: key });

describe("transactions", () => {
  it("records signed amounts, keeps balance, version and hash chain, and lists newest first", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const income = await record(u.token, acc, {
      amount: 250000,
      description: "Salary ACME",
      category: "income",
      occurred_at: "2026-11-01",
    });
    expect(income.status).toBe(201);
    expect(income.body).toMatchObject({ amount: 250000, currency: "EUR", balance_after: 250000, category: "income", version: 1 });
    const rent = await record(u.token, acc, { amount: -90000, description: "Rent November", category: "housing" });
    expect(rent.body).toMatchObject({ balance_after: 160000, version: 2 });

    const balance = await api(`/v1/accounts/${acc}/balance`, { token: u.token });
    expect(balance.body).toMatchObject({ current: 160000, available: 160000, pending: 0, version: 2 });
    const list = await api(`/v1/accounts/${acc}/transactions?limit=1`, { token: u.token });
    expect(list.body.data.map((t: any) => t.id)).toEqual([rent.body.id]);
    const next = await api(`/v1/accounts/${acc}/transactions?limit=1&cursor=${list.body.next_cursor}`, { token: u.token });
    expect(next.body.data.map((t: any) => t.id)).toEqual([income.body.id]);
    expect(next.body.next_cursor).toBeNull();
    const verify = await api(`/v1/accounts/${acc}/verify`, { token: u.token });
    expect(verify.body).toMatchObject({ entries: 2, valid: true });
    expect(verify.body.head_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses an outflow past available with 422 insufficient_funds and records nothing", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: 5000 });
    await record(u.token, acc, { amount: 1000, description: "in" });
    const res = await record(u.token, acc, { amount: -6001, description: "too much" });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("insufficient_funds");
    expect((await api(`/v1/accounts/${acc}/balance`, { token: u.token })).body).toMatchObject({
      current: 1000,
      available: 6000,
      version: 1,
    });
    const ok = await record(u.token, acc, { amount: -6000, description: "exactly the limit" });
    expect(ok.body.balance_after).toBe(-5000);
  });

  it("rejects bad input with problem+json and changes nothing", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const cases: [unknown, number][] = [
      [{ amount: 12.5, description: "float" }, 422],
      [{ amount: "100", description: "string" }, 422],
      [{ amount: 0, description: "zero" }, 422],
      [{ amount: 1e16, description: "huge" }, 422],
      [{ amount: 100 }, 422],
      [{ amount: 100, description: "x", role: "admin" }, 422],
      [{ amount: 100, description: "x", occurred_at: "2026-02-30" }, 422],
      [{ amount: 100, description: "x", category: "not-a-category" }, 422],
    ];
    for (const [json, status] of cases) {
      const res = await record(u.token, acc, json);
      expect(res.status, JSON.stringify(json)).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body.code).toBe("validation_failed");
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    const unknown = await record(u.token, acc, { amount: 100, description: "x", role: "admin" });
    expect(unknown.body.errors).toContainEqual({ path: "role", message: "unknown field" });
    const malformed = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      body: "{oops",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    const wrongType = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      body: "amount=1",
      headers: { "content-type": "text/plain" },
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.code).toBe("unsupported_media_type");
    const unicode = await record(u.token, acc, { amount: 100, description: "Café 東京 🚀" });
    expect(unicode.body.description).toBe("Café 東京 🚀");
    expect((await api(`/v1/accounts/${acc}/balance`, { token: u.token })).body.version).toBe(1);
  });

  it("hides other users' accounts and transactions behind 404", async () => {
    const owner = await createUser();
    const other = await createUser();
    const acc = await createAccount(owner.id);
    const t = await record(owner.token, acc, { amount: 100, description: "mine" });
    for (const path of [`/v1/accounts/${acc}/transactions`, `/v1/accounts/${acc}/balance`, `/v1/transactions/${t.body.id}`]) {
      const res = await api(path, { token: other.token });
      expect(res.status, path).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
    expect((await record(other.token, acc, { amount: 100, description: "theirs" })).status).toBe(404);
  });

  it("patches only non-money fields and reverses once", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    await record(u.token, acc, { amount: 1500, description: "refund" });
    const t = await record(u.token, acc, { amount: -1500, description: "CARREFOUR 123", category: "shopping" });
    const patched = await api(`/v1/transactions/${t.body.id}`, {
      method: "PATCH",
      token: u.token,
      json: { category: "groceries", notes: "weekly" },
    });
    expect(patched.body).toMatchObject({ category: "groceries", notes: "weekly", amount: -1500 });
    expect((await api(`/v1/transactions/${t.body.id}`, { method: "PATCH", token: u.token, json: { amount: 1 } })).status).toBe(422);
    const rev = await api(`/v1/transactions/${t.body.id}/reverse`, { method: "POST", token: u.token });
    expect(rev.status).toBe(201);
    expect(rev.body).toMatchObject({ amount: 1500, reverses_id: t.body.id, balance_after: 1500 });
    const again = await api(`/v1/transactions/${t.body.id}/reverse`, { method: "POST", token: u.token });
    expect(again.status).toBe(409);
    expect((await api(`/v1/accounts/${acc}/verify`, { token: u.token })).body.valid).toBe(true);
  });

  it("replays a transaction for the same Idempotency-Key and refuses a changed body", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const body = { amount: 700, description: "once" };
    const results = await Promise.all(Array.from({ length: 20 }, () => record(u.token, acc, body, "key-1")));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(19);
    const reused = await record(u.token, acc, { amount: 701, description: "once" }, "key-1");
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe("idempotency_key_reused");
    expect((await api(`/v1/accounts/${acc}/balance`, { token: u.token })).body).toMatchObject({ current: 700, version: 1 });
    // The key belongs to the caller, not to one account: reusing it elsewhere is a different request.
    const other = await createAccount(u.id);
    const elsewhere = await record(u.token, other, body, "key-1");
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.code).toBe("idempotency_key_reused");
    expect((await api(`/v1/accounts/${other}/balance`, { token: u.token })).body.version).toBe(0);
  });

  it("accepts dates and date-times with or without an offset", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    for (const occurred_at of ["2026-01-31", "2026-01-31T10:00:00Z", "2026-01-31T10:00:00+01:00", "2026-01-31T10:00:00"]) {
      const res = await record(u.token, acc, { amount: 100, description: occurred_at, occurred_at });
      expect(res.status, occurred_at).toBe(201);
      expect(res.body.occurred_at).toBe(occurred_at);
    }
  });
});

describe("payments", () => {
  it("moves money between two users' accounts with two entries of opposite sign", async () => {
    const a = await createUser();
    const b = await createUser();
    const src = await createAccount(a.id);
    const dst = await createAccount(b.id);
    await record(a.token, src, { amount: 10000, description: "top up" });
    const res = await pay(a.token, {
      source_account_id: src,
      destination_account_id: dst,
      amount: 2500,
      currency: "EUR",
      description: "rent share",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "completed", amount: 2500, source_account_id: src, destination_account_id: dst });
    const srcList = await api(`/v1/accounts/${src}/transactions`, { token: a.token });
    const dstList = await api(`/v1/accounts/${dst}/transactions`, { token: b.token });
    expect(srcList.body.data[0]).toMatchObject({ amount: -2500, payment_id: res.body.id });
    expect(dstList.body.data[0]).toMatchObject({ amount: 2500, payment_id: res.body.id });
    await projected(src, dst); // the payments views read D1
    expect((await api(`/v1/payments/${res.body.id}`, { token: b.token })).body.id).toBe(res.body.id);
    expect((await api(`/v1/payments`, { token: a.token })).body.data.map((p: any) => p.id)).toContain(res.body.id);
    // The payee's GDPR export lists the payment without revealing who the payer is.
    const exported = await api("/v1/users/me/export", { token: b.token });
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.body)).toContain(res.body.id);
    expect(JSON.stringify(exported.body)).not.toContain(a.id);
    expect(await audit()).toEqual([]);
  });

  it("refuses bad payments with their stable error codes and moves nothing", async () => {
    const a = await createUser();
    const src = await createAccount(a.id);
    const usd = await createAccount(a.id, { currency: "USD" });
    const dst = await createAccount(a.id);
    await record(a.token, src, { amount: 1000, description: "top up" });
    const base = { source_account_id: src, destination_account_id: dst, currency: "EUR" };
    expect((await pay(a.token, { ...base, amount: 1001 })).body.code).toBe("insufficient_funds");
    expect((await pay(a.token, { ...base, destination_account_id: usd, amount: 10 })).body.code).toBe("currency_mismatch");
    expect((await pay(a.token, { ...base, amount: -5 })).status).toBe(422);
    expect((await pay(a.token, { ...base, amount: 0 })).status).toBe(422);
    expect((await pay(a.token, { ...base, amount: 1.5 })).status).toBe(422);
    expect((await pay(a.token, { ...base, destination_account_id: src, amount: 5 })).status).toBe(422);
    expect((await pay(a.token, { ...base, destination_account_id: "acc_nope", amount: 5 })).status).toBe(404);
    const noKey = await api("/v1/payments", { method: "POST", token: a.token, json: { ...base, amount: 5 } });
    expect(noKey.status).toBe(400);
    const stranger = await createUser();
    expect((await pay(stranger.token, { ...base, amount: 5 })).status).toBe(404);
    await stub(dst).close();
    expect((await pay(a.token, { ...base, amount: 10 })).body.code).toBe("account_closed");
    expect((await api(`/v1/accounts/${src}/balance`, { token: a.token })).body).toMatchObject({
      current: 1000,
      pending: 0,
      available: 1000,
    });
    // Refused payments moved nothing and their ids were never given out: they are not listed.
    expect((await api("/v1/payments", { token: a.token })).body.data).toEqual([]);
    expect(await audit()).toEqual([]);
  });

  it("lets exactly the affordable number of 200 concurrent payments through", async () => {
    const a = await createUser();
    const b = await createUser();
    const src = await createAccount(a.id, { overdraft_limit: 1000 });
    const dst = await createAccount(b.id);
    await record(a.token, src, { amount: 9000, description: "top up" });
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        pay(a.token, { source_account_id: src, destination_account_id: dst, amount: 100, currency: "EUR" }),
      ),
    );
    const completed = results.filter((r) => r.status === 201);
    expect(completed).toHaveLength(100); // (9000 + 1000 limit) / 100
    expect(results.filter((r) => r.body.code === "insufficient_funds")).toHaveLength(100);
    expect((await api(`/v1/accounts/${src}/balance`, { token: a.token })).body).toMatchObject({ current: -1000, pending: 0, available: 0 });
    expect((await api(`/v1/accounts/${dst}/balance`, { token: b.token })).body).toMatchObject({ current: 10000, version: 100 });
    expect(await audit()).toEqual([]);
  });

  it("applies a payment once when the same key is replayed concurrently, and 422s a changed body", async () => {
    const a = await createUser();
    const src = await createAccount(a.id);
    const dst = await createAccount(a.id);
    await record(a.token, src, { amount: 5000, description: "top up" });
    const body = { source_account_id: src, destination_account_id: dst, amount: 1000, currency: "EUR" };
    const results = await Promise.all(Array.from({ length: 30 }, () => pay(a.token, body, "pay-key")));
    const ok = results.filter((r) => r.status === 201);
    expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
    // Every other answer is a replay of the same payment or "still in flight".
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === "idempotency_request_in_progress")).toBe(true);
    const replay = await pay(a.token, body, "pay-key");
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.id).toBe(ok[0].body.id);
    expect((await pay(a.token, { ...body, amount: 999 }, "pay-key")).body.code).toBe("idempotency_key_reused");
    expect((await api(`/v1/accounts/${src}/balance`, { token: a.token })).body.current).toBe(4000);
  });

  it("finishes a payment whose credit failed mid-way after the source object is evicted", async () => {
    const a = await createUser();
    const src = await createAccount(a.id);
    const dst = await createAccount(a.id);
    await record(a.token, src, { amount: 5000, description: "top up" });
    // The destination refuses to answer: the credit step throws on every attempt.
    await stub(dst).injectCreditFailures(100);
    const res = await pay(a.token, { source_account_id: src, destination_account_id: dst, amount: 1200, currency: "EUR" }, "fault-1");
    expect(res.status).toBe(409);
    expect((await api(`/v1/accounts/${src}/balance`, { token: a.token })).body).toMatchObject({
      current: 5000,
      pending: 1200,
      available: 3800,
    });
    expect(await audit()).toContain(`payment ${(await stub(src).snapshot()).payments[0].id} is not settled`);

    // Both objects die; the destination comes back healthy; the source's alarm finishes the payment.
    await stub(dst).injectCreditFailures(0);
    await evictDurableObject(stub(dst));
    await evictDurableObject(stub(src));
    expect(await runDurableObjectAlarm(stub(src))).toBe(true);
    expect((await api(`/v1/accounts/${src}/balance`, { token: a.token })).body).toMatchObject({ current: 3800, pending: 0 });
    expect((await api(`/v1/accounts/${dst}/balance`, { token: a.token })).body).toMatchObject({ current: 1200 });
    const replay = await pay(a.token, { source_account_id: src, destination_account_id: dst, amount: 1200, currency: "EUR" }, "fault-1");
    expect(replay.status).toBe(201);
    expect(replay.body.status).toBe("completed");
    expect(await audit()).toEqual([]);
  });

  it("voids the reservation when the destination closes before the credit", async () => {
    const a = await createUser();
    const src = await createAccount(a.id);
    const dst = await createAccount(a.id);
    await record(a.token, src, { amount: 5000, description: "top up" });
    await stub(dst).injectCreditFailures(100);
    await pay(a.token, { source_account_id: src, destination_account_id: dst, amount: 700, currency: "EUR" }, "void-1");
    await stub(dst).injectCreditFailures(0);
    await stub(dst).close();
    await runDurableObjectAlarm(stub(src));
    expect((await api(`/v1/accounts/${src}/balance`, { token: a.token })).body).toMatchObject({ current: 5000, pending: 0 });
    const replay = await pay(a.token, { source_account_id: src, destination_account_id: dst, amount: 700, currency: "EUR" }, "void-1");
    expect(replay.body.code).toBe("account_closed");
    expect(await audit()).toEqual([]);
  });
});

describe("imports", () => {
  const csv = (token: string, acc: string, body: string, type = "text/csv") =>
    api(`/v1/accounts/${acc}/imports`, { method: "POST", token, body, headers: { "content-type": type } });

  it("imports CSV through the ledger rules, reports bad lines, and re-imports as duplicates", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const file = [
      "date,amount,description,category,external_id",
      "2026-01-01,100.00,Salary,income,s1",
      "2026-01-02,-12.50,CARREFOUR CITY,groceries,",
      "2026-01-02,not-a-number,broken,,",
      "2026-01-03,-500.00,Too expensive,shopping,",
      "2026-01-04,-1.00,Unknown category,nonsense,",
    ].join("\n");
    const first = await csv(u.token, acc, file);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ imported: 2, duplicates: 0, failed: 3 });
    expect(first.body.errors.map((e: any) => e.line)).toEqual([4, 5, 6]);
    expect(first.body.errors[1].message).toMatch(/available/);
    const again = await csv(u.token, acc, file);
    expect(again.body).toMatchObject({ imported: 0, duplicates: 2, failed: 3 });
    expect((await api(`/v1/accounts/${acc}/balance`, { token: u.token })).body).toMatchObject({ current: 8750, version: 2 });
  });

  it("refuses malformed files and wrong content types without changing anything", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const noHeader = await csv(u.token, acc, "2026-01-01,1.00,x");
    expect(noHeader.status).toBe(422);
    expect(noHeader.body.code).toBe("validation_failed");
    expect((await csv(u.token, acc, "<html/>", "application/x-ofx")).status).toBe(422);
    const json = await csv(u.token, acc, "{}", "application/json");
    expect(json.status).toBe(415);
    // Transactions before any OFX header: refused at the first one, nothing applied.
    const headless = Array.from({ length: 250 }, (_, i) => `<STMTTRN><DTPOSTED>20260101<TRNAMT>1.00<FITID>h${i}<NAME>x</STMTTRN>`).join(
      "\n",
    );
    expect((await csv(u.token, acc, headless, "application/x-ofx")).status).toBe(422);
    // Cut short after 250 whole transactions: the whole file is refused, not its first rows imported.
    const cut = `OFXHEADER:100\n<OFX>\n${headless}\n<STMTTRN><DTPOSTED>2026`;
    const truncated = await csv(u.token, acc, cut, "application/x-ofx");
    expect(truncated.status).toBe(422);
    expect(truncated.body.detail).toMatch(/cut short/);
    expect((await api(`/v1/accounts/${acc}/balance`, { token: u.token })).body.version).toBe(0);
    expect((await api(`/v1/accounts/${acc}/close`, { method: "POST", token: u.token })).status).toBe(200);
    const closed = await csv(u.token, acc, "date,amount,description\n2026-01-01,1.00,x");
    expect(closed.status).toBe(422);
    expect(closed.body.code).toBe("account_closed");
  });
});
