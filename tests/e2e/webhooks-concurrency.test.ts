// One slow receiver must not hold back another's deliveries: the slow one takes 8 s to answer, and a
// delivery for someone else queued while it hangs still arrives within a few seconds.
import { createServer, type Server } from "node:http";
import { afterAll, expect, it } from "vitest";
import { call, register } from "./helpers";

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

async function receiver(delayMs: number) {
  const got: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      got.push(Date.now());
      setTimeout(() => res.writeHead(200).end(), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, got };
}

async function until(ok: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

async function userWithHook(url: string) {
  const token = await register("concurrency");
  const e = await call("/v1/webhooks/endpoints", { method: "POST", token, json: { url, events: ["transaction.created"] } });
  expect(e.status, e.text).toBe(201);
  const acc = await call("/v1/accounts", { method: "POST", token, json: { name: "Main", type: "checking", currency: "EUR" } });
  return { token, account: acc.body.id as string };
}
const record = (u: { token: string; account: string }, description: string) =>
  call(`/v1/accounts/${u.account}/transactions`, {
    method: "POST",
    token: u.token,
    json: { amount: 100, description, category: "income" },
  });

it("a delivery queued while another endpoint hangs for 8 s arrives without waiting for it", async () => {
  const slow = await receiver(8_000);
  const fast = await receiver(0);
  const a = await userWithHook(slow.url);
  const b = await userWithHook(fast.url);
  expect((await record(a, "to the slow one")).status).toBe(201);
  await until(() => slow.got.length === 1, 20_000, "the slow receiver's request");
  const hanging = Date.now();
  expect((await record(b, "to the fast one")).status).toBe(201);
  await until(() => fast.got.length === 1, 5_000, "the fast receiver's request while the slow one hangs");
  expect(fast.got[0] - hanging).toBeLessThan(5_000);
});
