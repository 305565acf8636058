import { describe, expect, it } from "vitest";
import { decodeText, detectEncoding, xmlEncoding } from "./decode";
import { MalformedFile } from "./rows";

const bytes = (...parts: (string | number[])[]) =>
  parts.map((p) => (typeof p === "string" ? new TextEncoder().encode(p) : new Uint8Array(p)));
const all = async (g: AsyncIterable<string>) => {
  let s = "";
  for await (const c of g) s += c;
  return s;
};

describe("decoding", () => {
  it("detects UTF-8 with or without BOM, else Windows-1252", async () => {
    expect(detectEncoding(bytes([0xef, 0xbb, 0xbf], "Libellé"))).toBe("utf-8");
    expect(detectEncoding(bytes("Libellé"))).toBe("utf-8");
    const cp1252 = bytes("D", [0xe9], "bit;Cr", [0xe9], "dit ", [0x80]);
    expect(detectEncoding(cp1252)).toBe("windows-1252");
    expect(await all(decodeText(cp1252, "windows-1252"))).toBe("Débit;Crédit €");
    expect(await all(decodeText(bytes([0xef, 0xbb, 0xbf], "a"), "utf-8"))).toBe("a");
  });

  it("writes every line break as \\n, even a CRLF split between two chunks", async () => {
    expect(await all(decodeText(bytes("a\r", "\nb\rc\n\r\n"), "utf-8"))).toBe("a\nb\nc\n\n");
    expect(await all(decodeText(bytes("a\r"), "utf-8"))).toBe("a\n");
  });

  it("decodes a multi-byte character split between chunks", async () => {
    const e = new TextEncoder().encode("é");
    expect(await all(decodeText([new Uint8Array([0x41, e[0]]), new Uint8Array([e[1]])], "utf-8"))).toBe("Aé");
  });

  it("takes an XML file's encoding from its declaration, refusing one its bytes contradict", () => {
    expect(xmlEncoding(bytes('<?xml version="1.0" encoding="UTF-8"?><a>é</a>'))).toBe("utf-8");
    expect(xmlEncoding(bytes('<?xml version="1.0" encoding="ISO-8859-1"?><a>', [0xe9], "</a>"))).toBe("windows-1252");
    expect(xmlEncoding(bytes("<a/>"))).toBe("utf-8");
    expect(() => xmlEncoding(bytes('<?xml version="1.0" encoding="UTF-8"?><a>', [0xe9], "</a>"))).toThrow(MalformedFile);
    expect(() => xmlEncoding(bytes('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>'))).toThrow(/UTF-8/);
    expect(() => xmlEncoding(bytes('<?xml version="1.0" encoding="EBCDIC"?><a/>'))).toThrow(MalformedFile);
  });
});
