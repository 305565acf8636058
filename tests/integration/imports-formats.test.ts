// Statement imports as banks export them, through the gateway: CSV dialects, QIF and CAMT.053, the
// multiset duplicate rule, dry runs, and files that are not their format (nothing imported).
import { describe, expect, it } from "vitest";
import { api, createAccount, createUser } from "./support";

const upload = (token: string, account: string, body: BodyInit, type: string, query = "") =>
  api(`/v1/accounts/${account}/imports${query}`, { method: "POST", token, body, headers: { "content-type": type } });
const balance = async (token: string, account: string) => (await api(`/v1/accounts/${account}/balance`, { token })).body;
const entries = async (token: string, account: string) =>
  (await api(`/v1/accounts/${account}/transactions?limit=100`, { token })).body.data as {
    occurred_at: string;
    amount: number;
    description: string;
    counterparty: string | null;
    external_id: string | null;
  }[];
/** Latin-1 text as Windows-1252 bytes (every character used here is below U+0100). */
const cp1252 = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

describe("CSV dialects through the gateway", () => {
  it("imports a French Windows-1252 export (';', preamble, Débit/Crédit, multi-line label) exactly, and nothing on re-import", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const file = cp1252(
      [
        "Compte courant n° 00012345678;;;",
        "Solde au 29/02/2024;1 234,56 €;;",
        ";;;",
        "Date;Libellé;Débit euros;Crédit euros",
        '01/02/2024;"PRLV SEPA EDF',
        'Échéance février";89,90;',
        "03/02/2024;CB CAFÉ DE LA GARE;4,50;",
        "03/02/2024;CB CAFÉ DE LA GARE;4,50;",
        '05/02/2024;"VIR SALAIRE ""FÉVRIER""";;2 450,00',
        "06/02/2024;MONTANT FAUX;12,34,56;",
      ].join("\r\n"),
    );
    const first = await upload(u.token, acc, file, "text/csv");
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      format: "csv",
      imported: 4,
      duplicates: 0,
      failed: 1,
      errors: [{ line: 10, message: 'debit "12,34,56" is not a EUR amount' }],
    });
    expect((await balance(u.token, acc)).current).toBe(245000 - 8990 - 450 - 450);
    const got = (await entries(u.token, acc)).map((e) => [e.occurred_at, e.amount, e.description]).sort();
    expect(got).toEqual([
      ["2024-02-01", -8990, "PRLV SEPA EDF Échéance février"],
      ["2024-02-03", -450, "CB CAFÉ DE LA GARE"],
      ["2024-02-03", -450, "CB CAFÉ DE LA GARE"],
      ["2024-02-05", 245000, 'VIR SALAIRE "FÉVRIER"'],
    ]);
    const again = await upload(u.token, acc, file, "text/csv");
    expect(again.body).toMatchObject({ imported: 0, duplicates: 4, failed: 1 });
    expect((await balance(u.token, acc)).version).toBe(4);
  });

  it("asks for date_format when the dates read both ways, imports nothing, and follows it when given", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const file = "Date,Description,Amount\n01/02/2024,A,-1.00\n03/04/2024,B,-2.00\n";
    const ambiguous = await upload(u.token, acc, file, "text/csv");
    expect(ambiguous.status).toBe(422);
    expect(ambiguous.body).toMatchObject({ code: "validation_failed", errors: [{ path: "date_format" }] });
    expect((await balance(u.token, acc)).version).toBe(0);
    const us = await upload(u.token, acc, file, "text/csv", "?date_format=MM/DD/YYYY");
    expect(us.body).toMatchObject({ imported: 2 });
    expect((await entries(u.token, acc)).map((e) => e.occurred_at).sort()).toEqual(["2024-01-02", "2024-03-04"]);
    expect((await upload(u.token, acc, file, "text/csv", "?date_format=YYYYMMDD")).status).toBe(400);
  });

  it("reads a headerless file from ?columns= (- skips a column)", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const res = await upload(
      u.token,
      acc,
      "2024-01-02;4711;CARREFOUR;-12,50\n2024-01-03;4712;SNCF;-40,00\n",
      "text/csv",
      "?columns=date,-,description,amount",
    );
    expect(res.body).toMatchObject({ imported: 2, failed: 0 });
    expect((await balance(u.token, acc)).current).toBe(-5250);
    expect((await upload(u.token, acc, "x", "text/csv", "?columns=date,nonsense")).status).toBe(400);
    expect((await upload(u.token, acc, "x", "text/csv", "?columns=date,amount")).status).toBe(400);
  });
});

describe("duplicates as a multiset", () => {
  it("imports a file's identical rows each, only as many as the account lacks, and none on re-import", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const coffee = { amount: -250, description: "COFFEE", occurred_at: "2024-03-01", category: "dining" };
    expect((await api(`/v1/accounts/${acc}/transactions`, { method: "POST", token: u.token, json: coffee })).status).toBe(201);
    const file = "date,amount,description\n2024-03-01,-2.50,COFFEE\n2024-03-01,-2.50,COFFEE\n2024-03-01,-2.50,COFFEE\n";
    expect((await upload(u.token, acc, file, "text/csv")).body).toMatchObject({ imported: 2, duplicates: 1 });
    expect((await upload(u.token, acc, file, "text/csv")).body).toMatchObject({ imported: 0, duplicates: 3 });
    expect((await balance(u.token, acc)).current).toBe(-750);
  });

  it("counts identical rows across the import's batches", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const file = `date,amount,description\n${"2024-03-01,-1.00,TICKET\n".repeat(700)}`;
    expect((await upload(u.token, acc, file, "text/csv")).body).toMatchObject({ imported: 700, duplicates: 0 });
    expect((await upload(u.token, acc, file, "text/csv")).body).toMatchObject({ imported: 0, duplicates: 700 });
    expect((await balance(u.token, acc)).current).toBe(-70000);
  });

  it("never imports an external id twice, within one file or across files", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const file = "date,amount,description,external_id\n2024-03-01,-1.00,A,x1\n2024-03-02,-2.00,B,x1\n2024-03-03,-3.00,C,x2\n";
    expect((await upload(u.token, acc, file, "text/csv", "?dry_run=true")).body).toMatchObject({ imported: 2, duplicates: 1 });
    expect((await upload(u.token, acc, file, "text/csv")).body).toMatchObject({ imported: 2, duplicates: 1 });
    expect((await upload(u.token, acc, file, "text/csv")).body).toMatchObject({ imported: 0, duplicates: 3 });
  });

  it("tries a repeated external id again when its first row was refused (it is not in the account)", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: 0 });
    const file = "date,amount,description,external_id\n2024-03-01,-5.00,A,x1\n2024-03-02,10.00,SALARY,s1\n2024-03-03,-5.00,A,x1\n";
    const want = { imported: 2, duplicates: 0, failed: 1, errors: [{ line: 2, message: "The amount exceeds the available balance." }] };
    expect((await upload(u.token, acc, file, "text/csv", "?dry_run=true")).body).toMatchObject(want);
    expect((await upload(u.token, acc, file, "text/csv")).body).toMatchObject(want);
    expect((await balance(u.token, acc)).current).toBe(500);
  });

  it("two concurrent imports of one file import its rows once", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const file = "date,amount,description\n2024-03-01,-2.50,COFFEE\n2024-03-01,-2.50,COFFEE\n2024-03-02,-9.99,NETFLIX\n";
    const [a, b] = await Promise.all([upload(u.token, acc, file, "text/csv"), upload(u.token, acc, file, "text/csv")]);
    expect(a.body.imported + b.body.imported).toBe(3);
    expect(a.body.duplicates + b.body.duplicates).toBe(3);
    expect((await balance(u.token, acc)).current).toBe(-1499);
  });
});

describe("dry runs", () => {
  it("answers what the import would do and writes nothing, limits checked as if earlier batches had been applied", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: 0 });
    // The credit is in the first batch of 500 rows, the rent it pays for in the second.
    const rows = [
      "2024-01-01,100.00,SALARY",
      ...Array.from({ length: 600 }, (_, i) => `2024-01-02,-0.10,FEE ${i}`),
      "2024-01-03,-30.00,RENT",
      "2024-01-04,-20.00,TOO MUCH",
      "bad,1,x",
    ];
    const file = `date,amount,description\n${rows.join("\n")}\n`;
    const dry = await upload(u.token, acc, file, "text/csv", "?dry_run=true");
    expect(dry.status).toBe(201);
    expect(dry.body).toMatchObject({ imported: 602, duplicates: 0, failed: 2 });
    expect(await balance(u.token, acc)).toMatchObject({ current: 0, version: 0 });
    expect(await entries(u.token, acc)).toEqual([]);
    const real = await upload(u.token, acc, file, "text/csv");
    const { id: _a, ...dryAnswer } = dry.body;
    const { id: _b, ...realAnswer } = real.body;
    expect(realAnswer).toEqual(dryAnswer);
    expect((await balance(u.token, acc)).current).toBe(10000 - 6000 - 3000);
    // And a dry run of the same file now: every row a duplicate.
    expect((await upload(u.token, acc, file, "text/csv", "?dry_run=true")).body).toMatchObject({ imported: 0, duplicates: 602 });
  });
});

const camt = (entries: string, version = "02") =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.${version}"><BkToCstmrStmt><Stmt>\n${entries}</Stmt></BkToCstmrStmt></Document>\n`;
const ntry = (ref: string, amount: string, ind: string, text: string, ccy = "EUR") =>
  `<Ntry><Amt Ccy="${ccy}">${amount}</Amt><CdtDbtInd>${ind}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-02-02</Dt></BookgDt><AcctSvcrRef>${ref}</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>${text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n`;

describe("QIF and CAMT.053 through the gateway", () => {
  it("imports QIF", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const res = await upload(
      u.token,
      acc,
      "!Type:Bank\nD1/2'24\nT-1,234.56\nPOAKWOOD\n^\nD1/15'24\nT2,500.00\nPACME\n^\n",
      "application/qif",
    );
    expect(res.body).toMatchObject({ format: "qif", imported: 2 });
    expect((await balance(u.token, acc)).current).toBe(250000 - 123456);
  });

  it("imports CAMT.053 with AcctSvcrRef as external id, refuses another currency per entry", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const file = camt(
      ntry("R1", "3456.78", "CRDT", "Gehalt Februar") +
        ntry("R2", "19.99", "DBIT", "Café Süß") +
        ntry("R3", "25.00", "DBIT", "GITHUB", "USD"),
    );
    for (const type of ["application/xml", "application/vnd.iso20022.camt.053+xml"]) {
      const res = await upload(u.token, acc, file, type);
      expect(res.status).toBe(201);
      expect(res.body.failed).toBe(1);
      expect(res.body.errors[0].message).toMatch(/USD/);
    }
    expect((await balance(u.token, acc)).current).toBe(345678 - 1999);
    expect((await entries(u.token, acc)).map((e) => e.external_id).sort()).toEqual(["R1", "R2"]);
  });

  it("refuses truncated XML with nothing imported, even though its first entries were whole", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const file = camt(ntry("R1", "10.00", "CRDT", "A") + ntry("R2", "20.00", "CRDT", "B"));
    const res = await upload(u.token, acc, file.slice(0, -30), "application/xml");
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("validation_failed");
    expect((await balance(u.token, acc)).version).toBe(0);
  });
});

describe("bad input", () => {
  it("answers 415 to an unknown type, 422 to an empty file, 201 with nothing to a header alone", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    expect((await upload(u.token, acc, "{}", "application/json")).body.code).toBe("unsupported_media_type");
    expect((await upload(u.token, acc, "x", "application/pdf")).status).toBe(415);
    for (const type of ["text/csv", "application/qif", "application/xml", "application/x-ofx"])
      expect((await upload(u.token, acc, "", type)).status).toBe(422);
    expect((await upload(u.token, acc, "date,amount,description\n", "text/csv")).body).toMatchObject({
      imported: 0,
      duplicates: 0,
      failed: 0,
      errors: [],
    });
    expect((await upload(u.token, acc, "!Type:Bank\n", "application/qif")).body).toMatchObject({ imported: 0 });
    expect((await upload(u.token, acc, camt(""), "application/xml")).body).toMatchObject({ imported: 0 });
  });

  it("reads a 10 MiB file (a field of 1 MB a row error), and refuses one byte more with 413", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const head = `date,amount,description\n2024-01-01,1.00,small\n2024-01-02,1.00,${"x".repeat(1 << 20)}\n2024-01-03,1.00,`;
    const limit = 10 * 1024 * 1024;
    const file = `${head}${"y".repeat(limit - head.length - 1)}\n`;
    const res = await upload(u.token, acc, file, "text/csv");
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      imported: 1,
      failed: 2,
      errors: [{ line: 3, message: "description must be at most 500 characters, got 1048576" }, { line: 4 }],
    });
    const over = await upload(u.token, acc, `${file}z`, "text/csv");
    expect(over.status).toBe(413);
    expect(over.body.code).toBe("payload_too_large");
    const xml = camt(ntry("R9", "1.00", "CRDT", "pad") + `<!--${"p".repeat(limit - 600)}-->`);
    expect(new TextEncoder().encode(xml).length).toBeLessThanOrEqual(limit);
    expect((await upload(u.token, acc, xml, "application/xml")).body).toMatchObject({ imported: 1 });
  });

  it("QIF and OFX: a field of 1 MB is a row error, a 10 MiB file is read to its end", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id, { overdraft_limit: null });
    const limit = 10 * 1024 * 1024;
    const qifHead = `!Type:Bank\nD01/31/2024\nT-1.00\nP${"p".repeat(1 << 20)}\n^\nD01/31/2024\nT-2.00\nPSMALL\n^\nD01/31/2024\nT-3.00\nPBIG MEMO\nM`;
    const qif = `${qifHead}${"m".repeat(limit - qifHead.length - 3)}\n^\n`;
    const q = await upload(u.token, acc, qif, "application/qif");
    expect(q.body).toMatchObject({
      imported: 1,
      failed: 2,
      errors: [
        { line: 2, message: "P must be at most 500 characters, got 1048576" },
        { line: 10, message: `M must be at most 2000 characters, got ${limit - qifHead.length - 3}` },
      ],
    });
    const trn = (name: string, amount: string) => `<STMTTRN><DTPOSTED>20240131<TRNAMT>${amount}<NAME>${name}</STMTTRN>\n`;
    const ofxHead = `OFXHEADER:100\n<OFX>\n${trn("n".repeat(1 << 20), "-1.00")}${trn("OK", "-2.00")}<!-- `;
    const ofx = `${ofxHead}${"c".repeat(limit - ofxHead.length - 20)} -->\n</OFX>\n`;
    const o = await upload(u.token, acc, ofx, "application/x-ofx");
    expect(o.body).toMatchObject({
      imported: 1,
      failed: 1,
      errors: [{ line: 3, message: "NAME must be at most 500 characters, got 1048576" }],
    });
    expect((await balance(u.token, acc)).current).toBe(-400);
  });
});

describe("imports under an Idempotency-Key", () => {
  const keyed = (token: string, account: string, body: string, key: string, query = "") =>
    api(`/v1/accounts/${account}/imports${query}`, {
      method: "POST",
      token,
      body,
      idempotencyKey: key,
      headers: { "content-type": "text/csv" },
    });
  const file = "date,amount,description\n2026-01-02,12.00,refund\n2026-01-03,-2.50,coffee\n";

  it("the same file under the same key is the first answer again, marked replayed, and imports nothing twice", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const key = crypto.randomUUID();
    const first = await keyed(u.token, acc, file, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await keyed(u.token, acc, file, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await balance(u.token, acc)).toMatchObject({ current: 950, version: 2 });
  });

  it("another file, another query or another account under a used key is 422 idempotency_key_reused, nothing imported", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const other = await createAccount(u.id);
    const key = crypto.randomUUID();
    expect((await keyed(u.token, acc, file, key)).status).toBe(201);
    for (const [account, body, query] of [
      [acc, `${file}2026-01-04,1.00,extra\n`, ""],
      [acc, file, "?dry_run=true"],
      [other, file, ""],
    ]) {
      const res = await keyed(u.token, account, body, key, query);
      expect(res.status, `${account} ${query}`).toBe(422);
      expect(res.body.code).toBe("idempotency_key_reused");
    }
    expect((await balance(u.token, acc)).version).toBe(2);
    expect((await balance(u.token, other)).version).toBe(0);
  });

  it("a malformed file claims no key: the corrected file under the same key imports", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const key = crypto.randomUUID();
    const bad = await keyed(u.token, acc, "not,a,statement\n1,2,3\n", key);
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe("validation_failed");
    const good = await keyed(u.token, acc, file, key);
    expect(good.status, JSON.stringify(good.body)).toBe(201);
    expect(good.body.imported).toBe(2);
  });

  it("the same keyed import sent 6 times at once is imported once; each answer is the import, a replay of it, or in progress", async () => {
    const u = await createUser();
    const acc = await createAccount(u.id);
    const key = crypto.randomUUID();
    const answers = await Promise.all(Array.from({ length: 6 }, () => keyed(u.token, acc, file, key)));
    const done = answers.filter((a) => a.status === 201);
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(new Set(done.map((a) => a.body.id)).size).toBe(1);
    expect(done.filter((a) => a.headers.get("idempotent-replayed") !== "true")).toHaveLength(1);
    for (const a of answers.filter((a) => a.status !== 201)) {
      expect(a.status).toBe(409);
      expect(a.body.code).toBe("idempotency_request_in_progress");
    }
    expect(await balance(u.token, acc)).toMatchObject({ current: 950, version: 2 });
  });
});
