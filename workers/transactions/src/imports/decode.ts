import { MalformedFile } from "./rows";

/**
 * The statement's bytes, held once (as the chunks they arrived in) so that the file can be read twice —
 * once to check and analyse it, once to import it — and decoded only a chunk at a time.
 */
export type Body = Uint8Array[];

export type Encoding = "utf-8" | "windows-1252" | "utf-16le" | "utf-16be";

/** Reads a request body into its chunks; a body over `limit` bytes is refused as it streams in. */
export async function readBody(stream: ReadableStream<Uint8Array>, limit: number, tooLarge: () => Error): Promise<Body> {
  const chunks: Body = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return chunks;
}

export const byteLength = (body: Body) => body.reduce((n, c) => n + c.byteLength, 0);

/** The first `n` bytes (or fewer), for sniffing a BOM or an XML declaration. */
export function head(body: Body, n: number): Uint8Array {
  const out = new Uint8Array(Math.min(n, byteLength(body)));
  let at = 0;
  for (const c of body) {
    if (at >= out.length) break;
    const part = c.subarray(0, out.length - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Whether every byte sequence of the body is valid UTF-8 (checked a chunk at a time, nothing kept). */
export function isUtf8(body: Body): boolean {
  const d = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  try {
    for (const c of body) d.decode(c, { stream: true });
    d.decode();
    return true;
  } catch {
    return false;
  }
}

/**
 * A text file's encoding as banks write them: a BOM says it; else valid UTF-8 is UTF-8; anything else
 * is read as Windows-1252 (the superset of ISO-8859-1 that WHATWG decoders use for both labels), so
 * "Débit" written by a French bank's Windows export reads as written.
 */
export function detectEncoding(body: Body): Encoding {
  const h = head(body, 3);
  if (h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf) return "utf-8";
  if (h[0] === 0xff && h[1] === 0xfe) return "utf-16le";
  if (h[0] === 0xfe && h[1] === 0xff) return "utf-16be";
  return isUtf8(body) ? "utf-8" : "windows-1252";
}

/**
 * The decoded text, a chunk at a time, with every line break (CRLF, CR, LF) written as "\n" — so the
 * CSV reader counts physical lines one way whatever the bank's system — and a leading BOM dropped.
 */
export async function* decodeText(body: Body, encoding: Encoding, fatal = false): AsyncGenerator<string> {
  const d = new TextDecoder(encoding, { fatal, ignoreBOM: false });
  let pendingCr = false;
  const norm = (s: string) => {
    if (pendingCr) s = "\r" + s;
    pendingCr = s.endsWith("\r");
    if (pendingCr) s = s.slice(0, -1);
    return s.replace(/\r\n?/g, "\n");
  };
  try {
    for (const c of body) {
      const s = norm(d.decode(c, { stream: true }));
      if (s) yield s;
    }
    const last = d.decode() + (pendingCr ? "\r" : "");
    pendingCr = false;
    if (last) yield last.replace(/\r\n?/g, "\n");
  } catch (e) {
    if (e instanceof TypeError) throw new MalformedFile(`The file is not valid ${encoding.toUpperCase()} text.`);
    throw e;
  }
}

/** Encodings an XML declaration may name that this reader decodes. */
const XML_ENCODINGS: Record<string, Encoding> = {
  "utf-8": "utf-8",
  utf8: "utf-8",
  "iso-8859-1": "windows-1252",
  "latin-1": "windows-1252",
  latin1: "windows-1252",
  "iso-8859-15": "windows-1252",
  "windows-1252": "windows-1252",
  cp1252: "windows-1252",
  "us-ascii": "utf-8",
  ascii: "utf-8",
};

/**
 * An XML file's encoding, as XML defines it: a BOM, else its declaration, else UTF-8. A declaration
 * that the bytes contradict (UTF-8 declared, invalid UTF-8 found; a single-byte charset declared over
 * UTF-8 multi-byte text) is a malformed file rather than a guess: its text would import garbled.
 */
export function xmlEncoding(body: Body): Encoding {
  const h = head(body, 256);
  if (h[0] === 0xff && h[1] === 0xfe) return "utf-16le";
  if (h[0] === 0xfe && h[1] === 0xff) return "utf-16be";
  const decl = /^(?:\uFEFF)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(new TextDecoder("latin1").decode(h));
  const name = decl?.[1].toLowerCase() ?? "utf-8";
  const encoding = XML_ENCODINGS[name];
  if (!encoding) throw new MalformedFile(`The XML declaration names an unsupported encoding "${name.slice(0, 40)}".`);
  const utf8 = isUtf8(body);
  if (encoding === "utf-8" && !utf8)
    throw new MalformedFile(
      `The XML file ${decl ? `declares encoding "${name}"` : "declares no encoding, so is UTF-8,"} but is not valid UTF-8.`,
    );
  if (encoding === "windows-1252" && utf8 && hasMultiByte(body))
    throw new MalformedFile(`The XML file declares encoding "${name}" but its text is UTF-8: fix the declaration.`);
  return encoding;
}

const hasMultiByte = (body: Body) => body.some((c) => c.some((b) => b >= 0x80));
