import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { SECRET_PREFIX, newSecret, secretBytes, sign, signatureHeader, signedContent, signingSecrets } from "./signature";

describe("Standard Webhooks signatures", () => {
  it("signs id.timestamp.body", () => {
    expect(signedContent("evt_1", 1700000000, '{"a":1}')).toBe('evt_1.1700000000.{"a":1}');
  });

  it("matches the specification's reference vector", async () => {
    // The Standard Webhooks test vector: secret MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, msg_p5jXN8AQM9LWM0D4loKWxJek, 1614265330.
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    expect(await sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}')).toBe(
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
  });

  it("verifies with the standardwebhooks package, each secret of a rotation on its own", async () => {
    const [a, b] = [newSecret(), newSecret()];
    expect(a.startsWith(SECRET_PREFIX)).toBe(true);
    expect(secretBytes(a)).toHaveLength(32);
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ id: "evt_x", type: "payment.completed", data: { object: { amount: 1 } } });
    const header = await signatureHeader([a, b], "evt_x", ts, body);
    expect(header.split(" ")).toHaveLength(2);
    for (const s of [a, b])
      expect(new Webhook(s).verify(body, { "webhook-id": "evt_x", "webhook-timestamp": String(ts), "webhook-signature": header })).toEqual(
        JSON.parse(body),
      );
    expect(() =>
      new Webhook(newSecret()).verify(body, { "webhook-id": "evt_x", "webhook-timestamp": String(ts), "webhook-signature": header }),
    ).toThrow();
  });

  it("the previous secret signs only until its overlap ends", () => {
    const e = { secret: "new", previousSecret: "old", previousSecretExpiresAt: "2026-01-02T00:00:00Z" };
    expect(signingSecrets(e, new Date("2026-01-01T23:59:59Z"))).toEqual(["new", "old"]);
    expect(signingSecrets(e, new Date("2026-01-02T00:00:00Z"))).toEqual(["new"]);
    expect(signingSecrets({ ...e, previousSecret: null, previousSecretExpiresAt: null }, new Date())).toEqual(["new"]);
  });
});
