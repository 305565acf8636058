/**
 * Where a webhook may be sent: a pure check of the URL, no packet sent. Only `https://` to a public
 * address or a public-looking host name. IP literals are classified in every spelling the URL parser
 * or a resolver accepts (decimal, octal, hex, short forms, IPv4-mapped IPv6); host names that are not
 * IP literals cannot be resolved inside a Worker before fetch, so this refuses the names that are
 * local by definition (localhost, *.localhost, *.local, *.internal, single labels, cloud metadata
 * names) and relies on Cloudflare's fetch, which refuses private destinations in production.
 *
 * `allowLoopback` (WEBHOOKS_ALLOW_LOOPBACK=true, local stacks only) lets exactly
 * `http(s)://127.0.0.1:<port>` and `http(s)://localhost:<port>` through as well.
 */
export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

export const MAX_URL_LENGTH = 2048;

const METADATA_HOSTS = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "metadata.azure.com",
  "instance-data",
  "instance-data.ec2.internal",
  "169.254.169.254",
  "169.254.170.2",
]);
const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp"];

/** A 32-bit IPv4 address from any spelling inet_aton accepts (1 to 4 parts, decimal, 0-octal, 0x-hex); undefined if not one. */
export function parseIPv4(host: string): number | undefined {
  const parts = host.split(".");
  if (parts.length < 1 || parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : Number.parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = Number.parseInt(p.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(p)) n = Number(p);
    else return undefined;
    if (!Number.isFinite(n)) return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return undefined;
  if (last >= 2 ** (8 * (4 - nums.length))) return undefined;
  let value = 0;
  for (const n of nums) value = value * 256 + n;
  return value * 2 ** (8 * (4 - nums.length)) + last;
}

const v4 = (a: number, b: number, c: number, d: number) => ((a * 256 + b) * 256 + c) * 256 + d;
const IPV4_BLOCKED: [number, number, string][] = [
  [v4(0, 0, 0, 0), 8, "this network (0.0.0.0/8)"],
  [v4(10, 0, 0, 0), 8, "private (10.0.0.0/8)"],
  [v4(100, 64, 0, 0), 10, "shared address space (100.64.0.0/10)"],
  [v4(127, 0, 0, 0), 8, "loopback (127.0.0.0/8)"],
  [v4(169, 254, 0, 0), 16, "link-local (169.254.0.0/16)"],
  [v4(172, 16, 0, 0), 12, "private (172.16.0.0/12)"],
  [v4(192, 0, 0, 0), 24, "IETF protocol assignments (192.0.0.0/24)"],
  [v4(192, 0, 2, 0), 24, "documentation (192.0.2.0/24)"],
  [v4(192, 88, 99, 0), 24, "6to4 relay anycast (192.88.99.0/24)"],
  [v4(192, 168, 0, 0), 16, "private (192.168.0.0/16)"],
  [v4(198, 18, 0, 0), 15, "benchmarking (198.18.0.0/15)"],
  [v4(198, 51, 100, 0), 24, "documentation (198.51.100.0/24)"],
  [v4(203, 0, 113, 0), 24, "documentation (203.0.113.0/24)"],
  [v4(224, 0, 0, 0), 4, "multicast (224.0.0.0/4)"],
  [v4(240, 0, 0, 0), 4, "reserved (240.0.0.0/4)"],
];

/** Why this IPv4 address is not a public destination, if it is not. */
export function ipv4Refusal(addr: number): string | undefined {
  for (const [base, bits, why] of IPV4_BLOCKED) if (Math.floor(addr / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits))) return why;
  return undefined;
}

/** Eight 16-bit groups from an IPv6 literal (brackets, a zone and an embedded dotted IPv4 allowed); undefined if not one. */
export function parseIPv6(text: string): number[] | undefined {
  let s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  s = s.split("%")[0].toLowerCase();
  if (!s.includes(":")) return undefined;
  let tail: number[] = [];
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (dotted) {
    const q = dotted[2].split(".").map(Number);
    if (q.some((n) => n > 255)) return undefined;
    tail = [q[0] * 256 + q[1], q[2] * 256 + q[3]];
    s = dotted[1].endsWith("::") ? dotted[1] : dotted[1].slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const hex = (g: string) => Number.parseInt(g, 16);
  return [...head.map(hex), ...Array(8 - given).fill(0), ...rest.map(hex), ...tail];
}

/** Why this IPv6 address is not a public destination, if it is not (embedded IPv4 addresses are judged as IPv4). */
export function ipv6Refusal(g: number[]): string | undefined {
  const embedded = g[6] * 65536 + g[7];
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return "unspecified (::)";
  if (zeroTo(7) && g[7] === 1) return "loopback (::1)";
  if (zeroTo(5) && g[5] === 0xffff) return ipv4Refusal(embedded); // ::ffff:a.b.c.d
  if (zeroTo(6)) return "IPv4-compatible (::/96)";
  if (zeroTo(4) && g[4] === 0xffff && g[5] === 0) return "IPv4-translated (::ffff:0:0/96)";
  if (g[0] === 0x64 && g[1] === 0xff9b)
    return ipv4Refusal(embedded) ?? (g[2] || g[3] || g[4] || g[5] ? "NAT64 local-use (64:ff9b:1::/48)" : undefined);
  if (g[0] === 0x2002) return ipv4Refusal(g[1] * 65536 + g[2]); // 6to4
  if (g[0] === 0x100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return "discard-only (100::/64)";
  if (g[0] === 0x2001 && g[1] === 0xdb8) return "documentation (2001:db8::/32)";
  if (g[0] === 0x2001 && g[1] === 0) return "Teredo (2001::/32)";
  if ((g[0] & 0xfe00) === 0xfc00) return "unique local (fc00::/7)";
  if ((g[0] & 0xffc0) === 0xfe80) return "link-local (fe80::/10)";
  if ((g[0] & 0xffc0) === 0xfec0) return "site-local (fec0::/10)";
  if ((g[0] & 0xff00) === 0xff00) return "multicast (ff00::/8)";
  return undefined;
}

/** Why a host (as in a URL, brackets for IPv6, any case, trailing dots) is not a public destination, if it is not. */
export function hostRefusal(rawHost: string): string | undefined {
  const host = rawHost.toLowerCase().replace(/\.+$/, "");
  if (!host) return "empty host";
  if (host.startsWith("[") || host.includes(":")) {
    const g = parseIPv6(host);
    if (!g) return "not a valid IPv6 address";
    const refusal = ipv6Refusal(g);
    if (refusal) return refusal;
    return undefined;
  }
  const ip = parseIPv4(host);
  if (ip !== undefined) return ipv4Refusal(ip);
  // Anything else that is all digits, dots and hex prefixes is an address some resolver would read.
  if (/^[0-9.]+$/.test(host) || /^(0x[0-9a-f]*\.?)+$/.test(host)) return "not a valid IPv4 address";
  if (METADATA_HOSTS.has(host)) return "cloud metadata service";
  if (host === "localhost" || LOCAL_SUFFIXES.some((s) => host.endsWith(s))) return "local host name";
  if (!host.includes(".")) return "single-label host name";
  if (!/^[a-z0-9.-]+$/.test(host) || host.split(".").some((l) => !l || l.length > 63 || l.startsWith("-") || l.endsWith("-")))
    return "not a valid host name";
  return undefined;
}

const LOOPBACK_ALLOWED = new Set(["127.0.0.1", "localhost"]);

/** The verdict on a webhook URL: refused with a reason fit for a 422, or the parsed URL. */
export function checkWebhookUrl(raw: string, opts: { allowLoopback?: boolean } = {}): UrlVerdict {
  if (raw.length > MAX_URL_LENGTH) return { ok: false, reason: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "must be an absolute URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "must be an https:// URL" };
  if (url.username || url.password || /^[a-z]+:\/\/[^/?#]*@/i.test(raw))
    return { ok: false, reason: "must not carry credentials (user:password@)" };
  if (url.hash) return { ok: false, reason: "must not have a fragment" };
  const host = url.hostname.toLowerCase().replace(/\.+$/, "");
  // Local stacks only: the two loopback spellings the README names, with an explicit port.
  if (opts.allowLoopback && LOOPBACK_ALLOWED.has(host) && url.port !== "" && url.hostname.toLowerCase() === host) return { ok: true, url };
  if (url.protocol !== "https:") return { ok: false, reason: "must be an https:// URL" };
  const refusal = hostRefusal(url.hostname);
  if (refusal) return { ok: false, reason: `must not point to a private, loopback, link-local or metadata address (${refusal})` };
  return { ok: true, url };
}
