// /docs in headless Chromium with every host but loopback unresolvable: Swagger UI comes from this
// origin, renders every operation of /openapi.json, and "Try it out" sends the token given to "Authorize".
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with `npm run docs:screenshot`
import { CHROMIUM, chromium, evaluate } from "../../scripts/chromium.mjs";
import { call, origin } from "../e2e/helpers";

type Doc = { paths: Record<string, Record<string, { security?: unknown[] }>> };

describe("API reference in a browser", () => {
  let dom: string;
  let doc: Doc;
  beforeAll(async () => {
    if (!CHROMIUM) throw new Error("Chromium is required for this test: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH");
    doc = (await call("/openapi.json")).body;
    dom = chromium(`${origin()}/docs`, ["--dump-dom"]);
  });

  it("renders every operation of /openapi.json, and nothing else, with networking off", () => {
    const expected = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    // Each operation is a Swagger UI block: <div class="opblock opblock-get" …> … data-path="/v1/…".
    const rendered = [...dom.matchAll(/class="opblock opblock-(\w+)[^"]*"[\s\S]*?data-path="([^"]*)"/g)].map(
      ([, method, path]) => `${method!.toUpperCase()} ${path!.replaceAll("&amp;", "&")}`,
    );
    expect(expected.length).toBeGreaterThan(50);
    expect(rendered.sort()).toEqual(expected.sort());
  });

  it("offers the bearer token for Try it out: Authorize, and a lock on each secured operation", () => {
    expect(dom).toMatch(/class="btn authorize/);
    const secured = Object.values(doc.paths)
      .flatMap((ops) => Object.values(ops))
      .filter((o) => o.security?.length).length;
    expect((dom.match(/class="authorization__btn"/g) ?? []).length).toBe(secured);
  });

  it("tries operations with the token typed into Authorize, a payment getting a fresh Idempotency-Key", async () => {
    const result = (await evaluate(`${origin()}/docs`, TRY_IT, { timeoutMs: 100_000 })) as Record<
      string,
      { status: string; body: string; curl: string }
    >;
    expect(result.me!.status, result.me!.body).toBe("200");
    expect(JSON.parse(result.me!.body).name).toBe("Browser");
    expect(result.me!.curl).toMatch(/Authorization: Bearer ey/);
    expect(result.payment!.status, result.payment!.body).toBe("201");
    expect(JSON.parse(result.payment!.body)).toMatchObject({ amount: 2500, status: "completed" });
    expect(result.payment!.curl).toMatch(/Idempotency-Key: [0-9a-f-]{36}/i);
  });
});

/** Run in the page: a user set up over fetch, then Swagger UI driven as a person would (Authorize, Try it out, Execute). */
const TRY_IT = `(async () => {
  const wait = async (find, what) => {
    for (let i = 0; i < 1600; i++) { const x = find(); if (x) return x; await new Promise((r) => setTimeout(r, 50)); }
    throw new Error("timed out waiting for " + what);
  };
  const api = (path, token, body) => fetch(path, { method: body ? "POST" : "GET", headers: { "content-type": "application/json", authorization: "Bearer " + token }, body: body && JSON.stringify(body) }).then((r) => r.json());
  await wait(() => document.querySelector(".opblock"), "the operations");
  const user = await fetch("/v1/auth/register", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "browser-" + crypto.randomUUID() + "@e2e.test", password: "correct horse battery staple 42", name: "Browser" }) }).then((r) => r.json());
  const token = user.access_token;
  const from = await api("/v1/accounts", token, { name: "Main", type: "checking", currency: "EUR" });
  const to = await api("/v1/accounts", token, { name: "Savings", type: "savings", currency: "EUR" });
  await api("/v1/accounts/" + from.id + "/transactions", token, { amount: 10000, description: "Salary" });

  // React inputs take a value through the native setter and an input event.
  const type = (el, value) => {
    Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), "value").set.call(el, value);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  };
  document.querySelector(".btn.authorize").click();
  type(await wait(() => document.querySelector(".modal-ux input"), "the Authorize dialog"), token);
  document.querySelector(".modal-ux button.authorize").click();
  (await wait(() => document.querySelector(".modal-ux .btn-done, .modal-ux .close-modal"), "the dialog's close button")).click();

  const run = async (method, path, body) => {
    const op = [...document.querySelectorAll(".opblock-" + method)].find((o) => o.querySelector('[data-path="' + path + '"]'));
    op.querySelector("button.opblock-summary-control").click();
    if (body) type(await wait(() => op.querySelector("textarea.body-param__text"), "the body editor"), JSON.stringify(body));
    (await wait(() => op.querySelector("button.execute"), "Execute")).click();
    const row = await wait(() => op.querySelector(".live-responses-table tbody .response"), "the answer");
    return { status: row.querySelector(".response-col_status").textContent.trim(), body: row.querySelector("pre.microlight, pre")?.textContent ?? "",
      curl: op.querySelector(".curl-command")?.textContent ?? "" };
  };
  return {
    me: await run("get", "/v1/users/me"),
    payment: await run("post", "/v1/payments", { source_account_id: from.id, destination_account_id: to.id, amount: 2500, currency: "EUR" }),
  };
})()`;
