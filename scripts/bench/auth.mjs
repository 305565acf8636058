// Auth costs under load, for `npm run bench` (scripts/bench.mjs provides `b`): a password login (scrypt
// N=2^14, two throttle Durable Objects, D1 reads and writes, an EdDSA signature) and a token-verified read
// (gateway: JWKS-cached EdDSA verification + user status lookup in D1; then the users worker).
// Measured through wrangler's proxy and, when found, straight at the workerd socket (b.direct).
export default async function (b) {
  const password = "bench passphrase that is long enough";
  const json = { "content-type": "application/json" };
  const CLIENTS = 8;
  // One user per client, as real traffic is: several concurrent logins of one email look like guessing
  // and are throttled (attempts count while in flight).
  const users = [];
  for (let i = 0; i < CLIENTS; i++) {
    const email = `bench-auth-${Date.now().toString(36)}-${i}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const reg = await fetch(`${b.origin}/v1/auth/register`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email, password, name: "Bench" }),
    });
    if (reg.status !== 201) throw new Error(`bench auth: register answered ${reg.status} ${await reg.text()}`);
    users.push({ body: JSON.stringify({ email, password }), token: (await reg.json()).access_token });
  }
  const bearer = { authorization: `Bearer ${users[0].token}` };
  const ok = async (res) => {
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    return res;
  };

  for (const [label, origin] of [
    ["proxy", b.origin],
    ["runtime", b.direct],
  ]) {
    if (!origin) continue;
    await b.measure(
      `POST /v1/auth/login, scrypt N=2^14 (${label})`,
      (_i, client) => fetch(`${origin}/v1/auth/login`, { method: "POST", headers: json, body: users[client].body }).then(ok),
      { clients: CLIENTS, requests: 200 },
    );
    await b.measure(`GET /v1/users/me, JWT verified (${label})`, () => fetch(`${origin}/v1/users/me`, { headers: bearer }).then(ok), {
      clients: 16,
      requests: 1000,
    });
  }
}
