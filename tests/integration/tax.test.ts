// Tax endpoints inside the composed test worker: the tax worker directly (named entrypoint, identity
// header as the gateway sets it) and through the gateway with a real EdDSA access token.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { SignJWT, importJWK, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { FR_SINGLE_2024, FR_SINGLE_2024_TAX, US_SINGLE_2025, US_SINGLE_2025_TAX } from "../shared/households";

type Svc = { fetch(input: string, init?: RequestInit): Promise<Response> };
const svc = exports as unknown as { default: Svc; TaxService: Svc };
const BASE = "http://127.0.0.1:8787";

const identity = (sub: string, scopes = ["tax:read"]) => JSON.stringify({ sub, role: "user", scopes });

/** Calls the tax worker as the gateway would after verifying a token. */
async function tax(
  path: string,
  init: { method?: string; json?: unknown; body?: string; sub?: string | null; scopes?: string[]; headers?: Record<string, string> } = {},
) {
  const headers = new Headers(init.headers);
  if (init.sub !== null) headers.set("x-ef-identity", identity(init.sub ?? "usr_tax_direct", init.scopes));
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const res = await svc.TaxService.fetch(`${BASE}${path}`, {
    method: init.method ?? (init.json !== undefined || init.body !== undefined ? "POST" : "GET"),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), body: text ? JSON.parse(text) : undefined };
}

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

// ── ledger projection rows, shaped per db/schema.ts `entries` ────────────────
let version = 0;
async function entry(e: {
  user: string;
  amount: number;
  category: string;
  date: string;
  currency?: string;
  description?: string;
  counterparty?: string;
  id?: string;
  reverses?: string;
}) {
  version += 1;
  const id = e.id ?? `txn_test${String(version).padStart(6, "0")}`;
  await env.DB.prepare(
    `insert into entries (id, account_id, user_id, version, amount, currency, description, category, counterparty, notes,
       occurred_at, occurred_date, external_id, payment_id, reverses_id, import_id, balance_after, hash, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, null, null, ?, null, 0, ?, ?)`,
  )
    .bind(
      id,
      `acc_${e.user}`,
      e.user,
      version,
      e.amount,
      e.currency ?? "EUR",
      e.description ?? e.category,
      e.category,
      e.counterparty ?? null,
      e.date,
      e.date,
      e.reverses ?? null,
      `hash${version}`,
      `${e.date}T12:00:00.000Z`,
    )
    .run();
  return id;
}

async function seedLedger(user: string) {
  await entry({ user, amount: 1_500_000, category: "income", date: "2024-01-31", description: "Salary January" });
  await entry({ user, amount: 1_500_000, category: "income", date: "2024-12-31", description: "Salary December" });
  await entry({
    user,
    amount: -12_000,
    category: "charity",
    date: "2024-05-02",
    description: "Restos du Coeur",
    counterparty: "Restos du Coeur",
  });
  await entry({ user, amount: -3_000, category: "charity", date: "2024-03-01", description: "Croix-Rouge" });
  await entry({ user, amount: -150_000, category: "taxes", date: "2024-09-15", description: "Taxe foncière" });
  await entry({ user, amount: 20_000, category: "taxes", date: "2024-08-01", description: "Remboursement impôt" });
  await entry({ user, amount: -5_000, category: "groceries", date: "2024-02-02" }); // not read
  await entry({ user, amount: 9_999_999, category: "income", date: "2023-12-31" }); // another year
  await entry({ user, amount: 9_999_999, category: "income", date: "2025-01-01" }); // another year
  await entry({ user, amount: 800_000, category: "income", date: "2024-06-01", currency: "USD", description: "US contract" });
  const wrong = await entry({ user, amount: 7_777_777, category: "income", date: "2024-04-01", description: "Booked by mistake" });
  await entry({ user, amount: -7_777_777, category: "income", date: "2024-04-02", description: "Reversal", reverses: wrong });
  await entry({ user: `${user}_other`, amount: 50_000_000, category: "income", date: "2024-06-01" }); // someone else's
}

describe("tax worker (named entrypoint, identity as the gateway forwards it)", () => {
  it("lists the jurisdictions with their years and filing statuses", async () => {
    const res = await tax("/v1/tax/jurisdictions");
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        code: "FR",
        name: "France",
        currency: "EUR",
        income_years: [2024, 2025],
        filing_statuses: ["single", "married", "pacs", "widowed"],
      },
      {
        code: "US",
        name: "United States (federal)",
        currency: "USD",
        income_years: [2024, 2025],
        filing_statuses: ["single", "married_joint", "married_separate", "head_of_household"],
      },
    ]);
  });

  it("FR single, revenus 2024, 30 000 € net imposable → 2 165 € (service-public.fr F1419)", async () => {
    const res = await tax("/v1/tax/income-tax", { json: FR_SINGLE_2024 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...FR_SINGLE_2024_TAX, jurisdiction: "FR", income_year: 2024, gross_income: 3_000_000 });
    expect(res.body.brackets).toEqual([
      { from: 0, to: 1_149_700, rate: 0, taxable: 1_149_700, tax: 0 },
      { from: 1_149_700, to: 2_931_500, rate: 0.11, taxable: 1_781_800, tax: 195_998 },
      { from: 2_931_500, to: 8_382_300, rate: 0.3, taxable: 68_500, tax: 20_550 },
    ]);
    expect(res.body.sources.some((s: string) => s.includes("CGI art. 197"))).toBe(true);
  });

  it("US single 2025, wages $100 000 → taxable $84 250 after the OBBBA standard deduction, tax $13 449", async () => {
    const res = await tax("/v1/tax/income-tax", { json: US_SINGLE_2025 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(US_SINGLE_2025_TAX);
    expect(res.body.parts).toBeUndefined();
    expect(res.body.brackets.map((b: { rate: number }) => b.rate)).toEqual([0.1, 0.12, 0.22]);
  });

  it.each([
    ["unknown jurisdiction", { ...FR_SINGLE_2024, jurisdiction: "DE" }, ["jurisdiction"]],
    ["unknown income year", { ...FR_SINGLE_2024, income_year: 2023 }, ["income_year"]],
    ["filing status of the other jurisdiction", { ...FR_SINGLE_2024, filing_status: "married_joint" }, ["filing_status"]],
    ["filing status that exists nowhere", { ...FR_SINGLE_2024, filing_status: "divorced" }, ["filing_status"]],
    ["float amount", { ...FR_SINGLE_2024, income: { taxable_income: 3_000_000.5 } }, ["income.taxable_income"]],
    ["amount past 10^13", { ...FR_SINGLE_2024, income: { taxable_income: 10 ** 13 + 1 } }, ["income.taxable_income"]],
    ["amount as a string", { ...FR_SINGLE_2024, income: { taxable_income: "3000000" } }, ["income.taxable_income"]],
    ["negative salary", { ...FR_SINGLE_2024, dependents: 1, income: { salaries: [100, -1] } }, ["income.salaries.1"]],
    ["unknown top-level field", { ...FR_SINGLE_2024, deductions: 5 }, ["deductions"]],
    ["unknown income field", { ...FR_SINGLE_2024, income: { taxable_income: 1, bonus: 2 } }, ["income.bonus"]],
    ["both income forms (engine rule)", { ...FR_SINGLE_2024, income: { taxable_income: 1, salaries: [1] } }, ["income"]],
    ["neither income form (engine rule)", { ...FR_SINGLE_2024, income: {} }, ["income"]],
    ["more salaries than people (engine rule)", { ...FR_SINGLE_2024, income: { salaries: [1, 2] } }, ["income.salaries"]],
    ["fractional dependents", { ...FR_SINGLE_2024, dependents: 0.5 }, ["dependents"]],
  ])("%s → 422 validation_failed naming the field", async (_name, json, expected) => {
    const res = await tax("/v1/tax/income-tax", { json });
    expect(res.status).toBe(422);
    expect(res.type).toBe("application/problem+json");
    expect(res.body).toMatchObject({ status: 422, code: "validation_failed" });
    expect(paths(res.body)).toEqual(expected);
  });

  it("10^13 exactly is accepted", async () => {
    const res = await tax("/v1/tax/income-tax", { json: { ...FR_SINGLE_2024, income: { taxable_income: 10 ** 13 } } });
    expect(res.status).toBe(200);
    expect(res.body.tax).toBeGreaterThan(0);
  });

  it("malformed JSON → 400, another media type → 415, no identity → 401, no tax:read → 403", async () => {
    const bad = await tax("/v1/tax/income-tax", { body: "{not json", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("validation_failed");
    const text = await tax("/v1/tax/income-tax", { body: "x", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    expect((await tax("/v1/tax/jurisdictions", { sub: null })).body).toMatchObject({ status: 401, code: "unauthorized" });
    expect((await tax("/v1/tax/jurisdictions", { scopes: ["accounts:read"] })).body).toMatchObject({ status: 403, code: "forbidden" });
  });

  it("VAT both ways, rounded half-up, by country, class and date", async () => {
    const vat = async (json: unknown) => (await tax("/v1/tax/vat", { json })).body;
    expect(await vat({ country: "FR", rate: "standard", amount: 10_000, amount_includes_vat: false })).toEqual({
      net: 10_000,
      vat: 2_000,
      gross: 12_000,
      rate_bps: 2_000,
    });
    expect(await vat({ country: "FR", rate: "reduced", amount: 1_000, amount_includes_vat: true, date: "2025-03-01" })).toEqual({
      net: 948,
      vat: 52,
      gross: 1_000,
      rate_bps: 550,
    });
    expect(await vat({ country: "DE", rate: "standard", amount: 10_000, amount_includes_vat: false, date: "2020-08-01" })).toEqual({
      net: 10_000,
      vat: 1_600,
      gross: 11_600,
      rate_bps: 1_600,
    });
    expect(await vat({ country: "GB", rate: "zero", amount: 999, amount_includes_vat: true })).toEqual({
      net: 999,
      vat: 0,
      gross: 999,
      rate_bps: 0,
    });
  });

  it.each([
    ["unknown country", { country: "ZZ", rate: "standard", amount: 1, amount_includes_vat: false }, ["country"]],
    ["class the country lacks", { country: "DE", rate: "super_reduced", amount: 1, amount_includes_vat: false }, ["rate"]],
    ["unknown class", { country: "FR", rate: "luxury", amount: 1, amount_includes_vat: false }, ["rate"]],
    ["float amount", { country: "FR", rate: "standard", amount: 1.5, amount_includes_vat: false }, ["amount"]],
    ["huge amount", { country: "FR", rate: "standard", amount: 10 ** 14, amount_includes_vat: false }, ["amount"]],
    ["negative amount", { country: "FR", rate: "standard", amount: -1, amount_includes_vat: false }, ["amount"]],
    ["bad date", { country: "FR", rate: "standard", amount: 1, amount_includes_vat: false, date: "2025-02-30" }, ["date"]],
    ["missing flag", { country: "FR", rate: "standard", amount: 1 }, ["amount_includes_vat"]],
    ["unknown field", { country: "FR", rate: "standard", amount: 1, amount_includes_vat: false, currency: "EUR" }, ["currency"]],
  ])("VAT %s → 422 naming the field", async (_name, json, expected) => {
    const res = await tax("/v1/tax/vat", { json });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("validation_failed");
    expect(paths(res.body)).toEqual(expected);
  });

  it("lists VAT rates in force on a date with their sources", async () => {
    const res = await tax("/v1/tax/vat/rates?date=2025-07-01&country=EE");
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({ country: "EE", rate: "standard", rate_bps: 2_400, from: "2025-07-01", to: null }),
    ]);
    expect((await tax("/v1/tax/vat/rates?date=tomorrow")).status).toBe(400);
  });
});

describe("tax report from the D1 ledger projection", () => {
  const user = "usr_taxreport01";
  beforeAll(() => seedLedger(user));

  it("FR 2024: income as wages, donations listed, taxes paid, VAT unknown, estimate from the same engine", async () => {
    const res = await tax("/v1/tax/report?jurisdiction=FR&income_year=2024", { sub: user });
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r).toMatchObject({
      jurisdiction: "FR",
      income_year: 2024,
      currency: "EUR",
      period: { from: "2024-01-01", to: "2024-12-31" },
      filing_status: "single",
      dependents: 0,
      income: { total: 3_000_000, transactions: 2, treated_as: "salaries", negative_not_subtracted: 0 },
      deductible_total: 15_000,
      deductible_items_listed_all: true,
      taxes_paid: { total: 150_000, transactions: 1, refunded: 20_000 },
      vat_paid: null,
      excluded_other_currencies: [{ currency: "USD", transactions: 1 }],
    });
    expect(
      r.deductible_items.map((d: { description: string; amount: number; applied_to_estimate: boolean }) => [
        d.description,
        d.amount,
        d.applied_to_estimate,
      ]),
    ).toEqual([
      ["Croix-Rouge", 3_000, false],
      ["Restos du Coeur", 12_000, false],
    ]);
    expect(r.deductible_items[1]).toMatchObject({
      counterparty: "Restos du Coeur",
      occurred_date: "2024-05-02",
      kind: "charitable_donation",
    });
    // 30 000 € wages − 10 % = 27 000 € taxable; (27 000 − 11 497) × 11 % = 1 705,33; décote 117,34 → 1 588 €.
    expect(r.estimate).toMatchObject({ taxable_income: 2_700_000, tax_before_credits: 170_533, decote: 11_734, tax: 158_800 });
    const direct = await tax("/v1/tax/income-tax", {
      json: { jurisdiction: "FR", income_year: 2024, filing_status: "single", income: { salaries: [3_000_000] } },
    });
    expect(r.estimate).toEqual(direct.body);
    expect(r.notes.some((n: string) => n.includes("vat_paid") && n.includes("null"))).toBe(true);
    expect(r.notes.some((n: string) => n.includes("CGI art. 200"))).toBe(true);
  });

  it("US 2024 reads the USD entries and honours filing status and dependents", async () => {
    const res = await tax("/v1/tax/report?jurisdiction=US&income_year=2024&filing_status=married_joint&dependents=2", { sub: user });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      currency: "USD",
      filing_status: "married_joint",
      dependents: 2,
      income: { total: 800_000, transactions: 1 },
      deductible_items: [],
      deductible_total: 0,
      taxes_paid: { total: 0, transactions: 0, refunded: 0 },
      estimate: { gross_income: 800_000, taxable_income: 0, tax: 0 },
    });
    expect(res.body.excluded_other_currencies).toEqual([{ currency: "EUR", transactions: 6 }]);
    expect(res.body.notes.some((n: string) => n.includes("$29,200"))).toBe(true);
  });

  it("a user with no transactions gets an empty report, not an error", async () => {
    const res = await tax("/v1/tax/report?jurisdiction=FR&income_year=2025", { sub: "usr_nobody" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      income: { total: 0, transactions: 0 },
      deductible_items: [],
      estimate: { tax: 0 },
      excluded_other_currencies: [],
    });
  });

  it.each([
    ["jurisdiction=DE&income_year=2024", ["jurisdiction"]],
    ["jurisdiction=FR&income_year=2023", ["income_year"]],
    ["jurisdiction=FR&income_year=twenty", ["income_year"]],
    ["jurisdiction=FR", ["income_year"]],
    ["jurisdiction=FR&income_year=2024&filing_status=married_joint", ["filing_status"]],
    ["jurisdiction=US&income_year=2024&dependents=-1", ["dependents"]],
    ["jurisdiction=FR&income_year=2024&year=2024", ["year"]],
  ])("?%s → 400 validation_failed naming the parameter", async (query, expected) => {
    const res = await tax(`/v1/tax/report?${query}`, { sub: user });
    expect(res.status).toBe(400);
    expect(res.type).toBe("application/problem+json");
    expect(res.body.code).toBe("validation_failed");
    expect(paths(res.body)).toEqual(expected);
  });
});

describe("OpenAPI", () => {
  it("documents the tax routes with request and response schemas (gateway /openapi.json)", async () => {
    const doc = (await (await svc.default.fetch(`${BASE}/openapi.json`)).json()) as any;
    for (const [path, method] of [
      ["/v1/tax/jurisdictions", "get"],
      ["/v1/tax/income-tax", "post"],
      ["/v1/tax/vat", "post"],
      ["/v1/tax/vat/rates", "get"],
      ["/v1/tax/report", "get"],
    ] as const) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.security).toEqual([{ bearer: ["tax:read"] }]);
      expect(op.responses["200"].content["application/json"].schema).toBeDefined();
    }
    expect(doc.components.schemas.IncomeTaxRequest.additionalProperties).toBe(false);
    expect(Object.keys(doc.components.schemas.IncomeTaxResult.properties)).toEqual(
      expect.arrayContaining([
        "taxable_income",
        "parts",
        "tax_before_credits",
        "decote",
        "tax",
        "effective_rate",
        "marginal_rate",
        "brackets",
        "sources",
      ]),
    );
    expect(doc.components.schemas.TaxReport.properties.vat_paid).toBeDefined();
    const params = doc.paths["/v1/tax/report"].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(["jurisdiction", "income_year", "filing_status", "dependents"]));
  });
});

// ── through the gateway with a bearer token ──────────────────────────────────
// The gateway verifies the token against the auth worker's /.well-known/jwks.json (the test signing key in
// env.JWT_SIGNING_KEYS) and checks the user row in D1.
const [signingJwk] = JSON.parse(env.JWT_SIGNING_KEYS) as (JWK & { kid: string })[];

async function mint(sub: string, scope: string) {
  const key = await importJWK(signingJwk!, "EdDSA");
  return new SignJWT({ scope, role: "user" })
    .setProtectedHeader({ alg: "EdDSA", kid: signingJwk!.kid, typ: "JWT" })
    .setIssuer("http://127.0.0.1:8787")
    .setAudience("edge-finance-api")
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime("10m")
    .setJti(crypto.randomUUID())
    .sign(key);
}

describe("tax through the gateway with a user token", () => {
  const user = "usr_taxgateway01";
  let token = "";
  beforeAll(async () => {
    await env.DB.prepare("insert into users (id, email, name, password_hash, role, status) values (?, ?, ?, null, 'user', 'active')")
      .bind(user, "tax-gateway@example.test", "Tax Gateway")
      .run();
    await seedLedger(user);
    token = await mint(user, "tax:read");
  });
  const call = (path: string, init: RequestInit & { token?: string } = {}) =>
    svc.default.fetch(`${BASE}${path}`, {
      ...init,
      headers: {
        ...(init.token !== undefined ? { authorization: `Bearer ${init.token}` } : {}),
        "content-type": "application/json",
        ...(init.headers as object),
      },
    });

  it("answers every tax endpoint with a valid token", async () => {
    expect((await call("/v1/tax/jurisdictions", { token })).status).toBe(200);
    const it = await call("/v1/tax/income-tax", { token, method: "POST", body: JSON.stringify(FR_SINGLE_2024) });
    expect(it.status).toBe(200);
    expect(((await it.json()) as { tax: number }).tax).toBe(216_500);
    const vat = await call("/v1/tax/vat", {
      token,
      method: "POST",
      body: JSON.stringify({ country: "FR", rate: "standard", amount: 12_000, amount_includes_vat: true }),
    });
    expect(await vat.json()).toEqual({ net: 10_000, vat: 2_000, gross: 12_000, rate_bps: 2_000 });
    const report = await call("/v1/tax/report?jurisdiction=FR&income_year=2024", { token });
    expect(report.status).toBe(200);
    expect(await report.json()).toMatchObject({ income: { total: 3_000_000 }, estimate: { tax: 158_800 } });
  });

  it("reports only the caller's own entries: another user's token sees none of them", async () => {
    const other = "usr_taxgateway02";
    await env.DB.prepare("insert into users (id, email, name, role, status) values (?, ?, ?, 'user', 'active')")
      .bind(other, "tax-other@example.test", "Other")
      .run();
    const res = await call("/v1/tax/report?jurisdiction=FR&income_year=2024", { token: await mint(other, "tax:read") });
    expect(await res.json()).toMatchObject({ income: { total: 0 }, deductible_items: [] });
  });

  it("401 without a token, 403 without tax:read, identity header from the client ignored", async () => {
    expect((await call("/v1/tax/jurisdictions")).status).toBe(401);
    const spoofed = await call("/v1/tax/jurisdictions", { headers: { "x-ef-identity": identity(user) } });
    expect(spoofed.status).toBe(401);
    const noScope = await call("/v1/tax/jurisdictions", { token: await mint(user, "accounts:read") });
    expect(noScope.status).toBe(403);
    expect(await noScope.json()).toMatchObject({ code: "forbidden" });
  });
});
