// Webhooks over the real stack: a real HTTP receiver on 127.0.0.1 (allowed by the stack's
// WEBHOOKS_ALLOW_LOOPBACK) that verifies every delivery with the standardwebhooks package. Waits are
// bounded polls; the only timings asserted are the receiver's own clock (the first retry's delay).
import { createServer, type Server } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { call, expectProblem, register } from "./helpers";

interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  event: { id: string; type: string; created_at: string; data: { object: any } };
  at: number;
}

/** A receiver that records every POST and answers `answer(n)` to the n-th (0-based). */
async function receiver(answer: (n: number) => number = () => 200) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const status = answer(got.length);
      got.push({
        id: String(req.headers["webhook-id"]),
        timestamp: String(req.headers["webhook-timestamp"]),
        signature: String(req.headers["webhook-signature"]),
        body,
        event: JSON.parse(body),
        at: Date.now(),
      });
      res.writeHead(status, status >= 300 && status < 400 ? { location: "http://127.0.0.1:1/elsewhere" } : {}).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  servers.push(server);
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, got };
}
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** Polls until `ok()` holds, for at most `ms`. */
async function until(ok: () => boolean | Promise<boolean>, ms = 20_000, what = "condition") {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const verify = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, { "webhook-id": r.id, "webhook-timestamp": r.timestamp, "webhook-signature": r.signature });

const post = (path: string, token: string, json?: unknown, headers: Record<string, string> = {}) =>
  call(path, { method: "POST", token, json, headers });

async function account(token: string, currency = "EUR") {
  const res = await post("/v1/accounts", token, { name: "Main", type: "checking", currency });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}
const record = (token: string, acc: string, amount: number, description: string, category = "income") =>
  post(`/v1/accounts/${acc}/transactions`, token, { amount, description, category });
const pay = (token: string, json: unknown) => post("/v1/payments", token, json, { "idempotency-key": crypto.randomUUID() });
async function endpoint(
  token: string,
  url: string,
  events = ["payment.completed", "transaction.created", "payment.failed", "budget.exceeded"],
) {
  const res = await post("/v1/webhooks/endpoints", token, { url, events });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; secret: string };
}

describe("webhook delivery through the real stack", () => {
  it("registering sends nothing; after a payment, payer and payee each receive only their own events, all signed", async () => {
    const payer = await register("payer");
    const payee = await register("payee");
    const [rPayer, rPayee] = [await receiver(), await receiver()];
    const ePayer = await endpoint(payer, rPayer.url);
    const ePayee = await endpoint(payee, rPayee.url);
    const src = await account(payer);
    const dst = await account(payee);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(rPayer.got.length + rPayee.got.length).toBe(0);

    expect((await record(payer, src, 10_000, "top up")).status).toBe(201);
    const p = await pay(payer, {
      source_account_id: src,
      destination_account_id: dst,
      amount: 2_500,
      currency: "EUR",
      description: "rent",
    });
    expect(p.status, p.text).toBe(201);
    const hasPayment = (got: Received[]) => got.some((r) => r.event.type === "payment.completed");
    await until(() => hasPayment(rPayer.got) && hasPayment(rPayee.got), 30_000, "both payment.completed");
    await until(() => rPayer.got.length >= 3 && rPayee.got.length >= 2, 20_000, "the transactions");

    for (const r of rPayer.got) expect(verify(ePayer.secret, r)).toEqual(r.event);
    for (const r of rPayee.got) expect(verify(ePayee.secret, r)).toEqual(r.event);
    for (const r of [...rPayer.got, ...rPayee.got]) expect(r.id).toBe(r.event.id);
    expect(() => verify(ePayee.secret, rPayer.got[0])).toThrow();

    const kinds = (got: Received[]) =>
      [...new Set(got.map((r) => `${r.event.type}:${r.event.data.object.account_id ?? r.event.data.object.id}`))].sort();
    expect(kinds(rPayer.got)).toEqual([`payment.completed:${p.body.id}`, `transaction.created:${src}`].sort());
    expect(kinds(rPayee.got)).toEqual([`payment.completed:${p.body.id}`, `transaction.created:${dst}`].sort());
    expect(rPayer.got.find((r) => r.event.type === "payment.completed")!.event.data.object).toEqual(p.body);

    // The events API holds the same events, each user's own.
    const listed = (await call("/v1/events?limit=100", { token: payee })).body.data.map((e: any) => e.id).sort();
    expect(listed).toEqual([...new Set(rPayee.got.map((r) => r.id))].sort());
    const deliveries = await call(`/v1/webhooks/endpoints/${ePayee.id}/deliveries`, { token: payee });
    expect(deliveries.body.data).toHaveLength(2);
    for (const d of deliveries.body.data)
      expect(d).toMatchObject({ status: "succeeded", attempts: 1, last_status_code: 200, next_attempt_at: null });
  });

  it("a receiver answering 500 gets the same webhook-id again about 5 s later, and the delivery then succeeds", async () => {
    const u = await register("retry");
    const r = await receiver((n) => (n === 0 ? 500 : 204));
    const e = await endpoint(u, r.url, ["transaction.created"]);
    const acc = await account(u);
    expect((await record(u, acc, 500, "first try fails")).status).toBe(201);
    await until(() => r.got.length >= 2, 40_000, "the retry");
    const [first, second] = r.got;
    expect(second.id).toBe(first.id);
    expect(second.body).toBe(first.body);
    for (const x of r.got) verify(e.secret, x);
    const gap = second.at - first.at;
    expect(gap).toBeGreaterThanOrEqual(4_000);
    expect(gap).toBeLessThan(20_000);
    await until(
      async () => (await call(`/v1/webhooks/endpoints/${e.id}/deliveries`, { token: u })).body.data[0]?.status === "succeeded",
      10_000,
      "the delivery to succeed",
    );
    const [d] = (await call(`/v1/webhooks/endpoints/${e.id}/deliveries`, { token: u })).body.data;
    expect(d).toMatchObject({
      status: "succeeded",
      attempts: 2,
      last_status_code: 204,
      event_id: first.id,
      event_type: "transaction.created",
    });

    // A manual retry sends it once more, at once, under the same id.
    expect((await post(`/v1/webhooks/deliveries/${d.id}/retry`, u)).status).toBe(202);
    await until(() => r.got.length >= 3, 20_000, "the manual retry");
    expect(r.got[2].id).toBe(first.id);
  });

  it("a redirect is a failure: it is not followed and the delivery stays pending for a retry", async () => {
    const u = await register("redirect");
    const r = await receiver(() => 302);
    const e = await endpoint(u, r.url, ["transaction.created"]);
    const acc = await account(u);
    await record(u, acc, 100, "moved");
    await until(
      async () => (await call(`/v1/webhooks/endpoints/${e.id}/deliveries`, { token: u })).body.data[0]?.attempts === 1,
      20_000,
      "the first attempt",
    );
    const [d] = (await call(`/v1/webhooks/endpoints/${e.id}/deliveries`, { token: u })).body.data;
    expect(d).toMatchObject({ status: "pending", attempts: 1, last_status_code: 302, next_attempt_at: expect.any(String) });
    expect(r.got).toHaveLength(1);
  });

  it("after a rotation, deliveries carry both signatures and each secret verifies on its own", async () => {
    const u = await register("rotation");
    const r = await receiver();
    const e = await endpoint(u, r.url, ["transaction.created"]);
    const rotated = await post(`/v1/webhooks/endpoints/${e.id}/rotate-secret`, u);
    expect(rotated.status).toBe(200);
    const acc = await account(u);
    await record(u, acc, 100, "after rotation");
    await until(() => r.got.length >= 1, 20_000, "the delivery");
    expect(r.got[0].signature.split(" ")).toHaveLength(2);
    expect(r.got[0].signature.split(" ").every((s) => s.startsWith("v1,"))).toBe(true);
    expect(verify(e.secret, r.got[0])).toEqual(r.got[0].event);
    expect(verify(rotated.body.secret, r.got[0])).toEqual(r.got[0].event);
  });

  it("a disabled endpoint receives nothing, and a refused request emits nothing", async () => {
    const payer = await register("quiet");
    const payee = await register("quiet-payee");
    const [on, off, theirs] = [await receiver(), await receiver(), await receiver()];
    await endpoint(payer, on.url);
    const disabled = await endpoint(payer, off.url);
    await endpoint(payee, theirs.url);
    const patched = await call(`/v1/webhooks/endpoints/${disabled.id}`, { method: "PATCH", token: payer, json: { status: "disabled" } });
    expect(patched.body.status).toBe("disabled");
    const src = await account(payer);
    const dst = await account(payee);
    const refused = await pay(payer, { source_account_id: src, destination_account_id: dst, amount: 5_000, currency: "EUR" });
    expectProblem(refused, 422, "insufficient_funds");
    expectProblem(await record(payer, src, -1, "overdraft", "dining"), 422, "insufficient_funds");
    // A later fact, to know the refused ones had their chance to be delivered.
    expect((await record(payer, src, 300, "sentinel")).status).toBe(201);
    await until(() => on.got.length >= 1, 20_000, "the sentinel");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(on.got.map((r) => r.event.data.object.description)).toEqual(["sentinel"]);
    expect(off.got).toEqual([]);
    expect(theirs.got).toEqual([]);
    expect((await call("/v1/events", { token: payee })).body.data).toEqual([]);
  });

  it("budget.exceeded once, for the outflow that takes the month's budget over", async () => {
    const u = await register("budget");
    const r = await receiver();
    await endpoint(u, r.url, ["budget.exceeded", "transaction.created"]);
    const acc = await account(u);
    const b = await post("/v1/budgets", u, { category: "groceries", amount: 1_000, currency: "EUR" });
    expect(b.status, b.text).toBe(201);
    await record(u, acc, 10_000, "salary");
    const spends = [];
    for (let i = 0; i < 3; i++) spends.push((await record(u, acc, -600, `market ${i}`, "groceries")).body);
    await until(() => r.got.filter((x) => x.event.type === "transaction.created").length >= 4, 30_000, "the transactions");
    await until(() => r.got.some((x) => x.event.type === "budget.exceeded"), 20_000, "budget.exceeded");
    await new Promise((res) => setTimeout(res, 1_500));
    const exceeded = r.got.filter((x) => x.event.type === "budget.exceeded");
    expect(exceeded).toHaveLength(1);
    expect(exceeded[0].event.data.object).toMatchObject({
      id: b.body.id,
      category: "groceries",
      amount: 1_000,
      spent: 1_200,
      remaining: -200,
      transaction_id: spends[1].id,
    });
  });

  it("refuses private and loopback URLs over HTTP with 422 naming url; registering them sends nothing", async () => {
    const u = await register("ssrf");
    for (const url of [
      "http://example.com/hook",
      "https://127.0.0.1/",
      "https://2130706433/",
      "https://0x7f.1/",
      "https://[::ffff:127.0.0.1]/",
      "https://169.254.169.254/latest/meta-data/",
      "https://metadata.google.internal/",
      "https://10.0.0.5/",
      "https://192.168.1.1/",
      "https://sub.localhost/",
      "https://example.com@127.0.0.1/",
      "http://127.0.0.1/",
    ]) {
      const body = expectProblem(
        await post("/v1/webhooks/endpoints", u, { url, events: ["transaction.created"] }),
        422,
        "validation_failed",
      );
      expect(body.errors?.[0]?.path, url).toBe("url");
    }
    expect((await call("/v1/webhooks/endpoints", { token: u })).body.data).toEqual([]);
  });
});
