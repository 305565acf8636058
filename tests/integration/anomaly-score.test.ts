// The score behind anomaly.detected weighs an account's last SCORE_HISTORY recorded entries, not its
// whole history: an outflow costs the same to score on a long-lived account. The anomalies report still
// weighs everything, so the two can disagree about a merchant last seen before that window.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AiRpc } from "#core";
import { SCORE_HISTORY } from "../../workers/ai/src/routes/anomalies";
import { api, createAccount, createUser, projected } from "./support";

const ai = env.AI_SERVICE as unknown as AiRpc;

describe("anomaly.detected's score", () => {
  it("weighs the account's last SCORE_HISTORY entries: a merchant seen only before them is new again", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const funding = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      json: { amount: 10_000_000, description: "savings", category: "income", occurred_at: "2021-12-31T09:00:00Z" },
    });
    expect(funding.status, funding.text).toBe(201);
    const day = (i: number) => new Date(Date.UTC(2022, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const old = Array.from({ length: 6 }, (_, i) => `${day(i)},-2400.00,MEUBLES DUVAL,shopping`);
    const recent = Array.from({ length: SCORE_HISTORY }, (_, i) => `${day(200 + i)},-3.00,CAFE DU COIN,dining`);
    const imp = await api(`/v1/accounts/${acc}/imports`, {
      method: "POST",
      token: u.token,
      body: `date,amount,description,category\n${[...old, ...recent].join("\n")}\n`,
      headers: { "content-type": "text/csv" },
    });
    expect(imp.status, imp.text).toBe(201);
    expect(imp.body.imported, JSON.stringify(imp.body).slice(0, 400)).toBe(old.length + recent.length);
    const sofa = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      json: { amount: -240_000, description: "MEUBLES DUVAL", category: "shopping", occurred_at: `${day(1300)}T12:00:00Z` },
    });
    expect(sofa.status, sofa.text).toBe(201);
    await projected(acc); // the score reads D1

    const [score] = await ai.scoreTransactions([{ user_id: u.id, account_id: acc, transaction_id: sofa.body.id }]);
    expect(score).toMatchObject({ transaction_id: sofa.body.id, anomalous: true });
    expect(score!.reason).toContain("a merchant you never used before");

    // The report weighs the whole history: six earlier payments of that amount there make it usual.
    const report = await api(`/v1/ai/anomalies?account_id=${acc}`, { token: u.token });
    expect(report.status).toBe(200);
    expect(report.body.data.map((a: { transaction_id: string }) => a.transaction_id)).not.toContain(sofa.body.id);
  });

  it("answers null for a transaction that is not the caller's, in the order asked", async () => {
    const u = await createUser();
    const other = await createUser();
    const acc = await createAccount(u.id);
    const t = await api(`/v1/accounts/${acc}/transactions`, {
      method: "POST",
      token: u.token,
      json: { amount: -500, description: "x", category: "dining" },
    });
    await projected(acc); // in D1, so a null is the owner's doing, not the lag's
    const scores = await ai.scoreTransactions([
      { user_id: other.id, account_id: acc, transaction_id: t.body.id },
      { user_id: u.id, account_id: acc, transaction_id: "txn_missing" },
    ]);
    expect(scores).toEqual([null, null]);
  });
});
