// Statement imports through the full stack (gateway → transactions → the account's AccountLedger →
// D1 projection): a 10 MiB French-style CSV (`;`, decimal commas, Débit/Crédit, a preamble) and a
// 10 MiB CAMT.053, each once as a dry run (read, checked, nothing written) and once for real, in a
// fresh account. Prints rows/s per import; BENCH_SCALE shrinks the files.
import http from "node:http";

const MiB = 1024 * 1024;
const MERCHANTS = [
  "CB CARREFOUR MARKET",
  "PRLV SEPA EDF",
  "CB BOULANGERIE SAINT-HONORÉ",
  "VIR SALAIRE ACME",
  "CB SNCF INTERNET",
  "CB CAFÉ DE LA GARE",
  "PRLV FREE MOBILE",
];

const date = (i) => {
  const d = new Date(Date.UTC(2020, 0, 1) + (i % 1500) * 86_400_000);
  return d.toISOString().slice(0, 10);
};
const frDate = (i) => date(i).split("-").reverse().join("/");
const cents = (i) => `${1 + (i % 997)},${String(i % 100).padStart(2, "0")}`;

/** A CSV of `bytes` bytes at most, and its row count. */
export function csv(bytes) {
  const lines = [
    "Compte courant n° 00012345678;;;",
    "Période du 01/01/2020 au 31/12/2024;;;",
    ";;;",
    "Date;Libellé;Débit euros;Crédit euros",
  ];
  let size = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  let rows = 0;
  for (let i = 0; ; i++) {
    const credit = i % 10 === 0;
    const label = i % 50 === 0 ? `"${MERCHANTS[i % 7]} ${i}\nRÉF ${i * 7}"` : `${MERCHANTS[i % 7]} ${i}`;
    const line = `${frDate(i)};${label};${credit ? "" : cents(i)};${credit ? cents(i * 3) : ""}`;
    const n = Buffer.byteLength(line) + 1;
    if (size + n > bytes) break;
    lines.push(line);
    size += n;
    rows++;
  }
  return { body: `${lines.join("\n")}\n`, rows };
}

/** A CAMT.053.001.08 statement of `bytes` bytes at most, and its entry count. */
export function camt(bytes) {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2025-01-01T00:00:00Z</CreDtTm></GrpHdr><Stmt><Id>S1</Id><Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id><Ccy>EUR</Ccy></Acct>\n`;
  const tail = "</Stmt></BkToCstmrStmt></Document>\n";
  const parts = [head];
  let size = Buffer.byteLength(head) + Buffer.byteLength(tail);
  let rows = 0;
  for (let i = 0; ; i++) {
    const dbit = i % 10 !== 0;
    const entry =
      `<Ntry><NtryRef>N${i}</NtryRef><Amt Ccy="EUR">${cents(i).replace(",", ".")}</Amt><CdtDbtInd>${dbit ? "DBIT" : "CRDT"}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>` +
      `<BookgDt><Dt>${date(i)}</Dt></BookgDt><ValDt><Dt>${date(i)}</Dt></ValDt><AcctSvcrRef>REF${String(i).padStart(10, "0")}</AcctSvcrRef>` +
      `<NtryDtls><TxDtls><RltdPties><${dbit ? "Cdtr" : "Dbtr"}><Pty><Nm>${MERCHANTS[i % 7]}</Nm></Pty></${dbit ? "Cdtr" : "Dbtr"}></RltdPties>` +
      `<RmtInf><Ustrd>${MERCHANTS[i % 7]} ${i}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n`;
    const n = Buffer.byteLength(entry);
    if (size + n > bytes) break;
    parts.push(entry);
    size += n;
    rows++;
  }
  parts.push(tail);
  return { body: parts.join(""), rows };
}

/** A POST without fetch's 300 s wait for the answer's headers: a 10 MiB import may take longer on a busy machine. */
function post(url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

export default async function importsBench(b) {
  const h = { authorization: `Bearer ${b.token}` };
  const bytes = Math.max(64 * 1024, Math.round(10 * MiB * Math.min(1, b.scale)));
  const account = async () => {
    const res = await fetch(`${b.origin}/v1/accounts`, {
      method: "POST",
      headers: { ...h, "content-type": "application/json" },
      body: JSON.stringify({ name: "Bench imports", type: "checking", currency: "EUR", overdraft_limit: null }),
    });
    if (res.status !== 201) throw new Error(`account → ${res.status} ${await res.text()}`);
    return (await res.json()).id;
  };
  const files = [
    ["CSV (;, decimal comma, Débit/Crédit)", "text/csv", csv(bytes)],
    ["CAMT.053.001.08", "application/xml", camt(bytes)],
  ];
  for (const [label, type, file] of files) {
    const size = Buffer.byteLength(file.body);
    for (const dry of [true, false]) {
      const acc = await account();
      const t0 = performance.now();
      const res = await post(
        `${b.origin}/v1/accounts/${acc}/imports${dry ? "?dry_run=true" : ""}`,
        { ...h, "content-type": type },
        file.body,
      );
      const text = res.text;
      let answer;
      try {
        answer = JSON.parse(text);
      } catch {
        throw new Error(`${label} import → ${res.status} ${text.slice(0, 300)}`);
      }
      const s = (performance.now() - t0) / 1000;
      if (res.status !== 201 || answer.imported !== file.rows)
        throw new Error(`${label} import → ${res.status} ${JSON.stringify(answer).slice(0, 300)}`);
      const what = `POST /v1/accounts/{id}/imports ${label}, ${(size / MiB).toFixed(1)} MiB${dry ? ", dry run" : ""}`;
      console.log(
        `${what.padEnd(72)} ${String(file.rows).padStart(7)} rows ${s.toFixed(1).padStart(6)} s ${(file.rows / s).toFixed(0).padStart(7)} rows/s ${(size / MiB / s).toFixed(2).padStart(6)} MiB/s`,
      );
    }
  }
}
