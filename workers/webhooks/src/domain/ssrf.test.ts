import { describe, expect, it } from "vitest";
import { LOOPBACK_SPELLINGS } from "./loopback-spellings";
import { checkWebhookUrl, hostRefusal, parseIPv4, parseIPv6 } from "./ssrf";

const refused = (url: string, allowLoopback = false) => {
  const v = checkWebhookUrl(url, { allowLoopback });
  expect(v.ok, `${url} should be refused`).toBe(false);
};
const accepted = (url: string, allowLoopback = false) => {
  const v = checkWebhookUrl(url, { allowLoopback });
  expect(v.ok, `${url} should be accepted: ${v.ok ? "" : v.reason}`).toBe(true);
};

describe("IPv4 spellings", () => {
  it("reads every form inet_aton accepts", () => {
    const loop = 0x7f000001;
    for (const s of ["127.0.0.1", "2130706433", "0177.0.0.1", "0x7f.1", "0x7f000001", "127.1", "127.0.1", "0x7F.0.0.1", "017700000001"])
      expect(parseIPv4(s), s).toBe(loop);
    expect(parseIPv4("1.2.3.256")).toBeUndefined();
    expect(parseIPv4("256.1")).toBeUndefined();
    expect(parseIPv4("1.2.3.4.5")).toBeUndefined();
    expect(parseIPv4("08.1.1.1")).toBeUndefined(); // 08 is not octal
    expect(parseIPv4("example.com")).toBeUndefined();
    expect(parseIPv4("4294967296")).toBeUndefined();
    expect(parseIPv4("4294967295")).toBe(0xffffffff);
  });
});

describe("IPv6 literals", () => {
  it("parses compressed, full, bracketed, zoned and dotted-tail forms", () => {
    expect(parseIPv6("[::1]")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("::ffff:127.0.0.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIPv6("::ffff:7f00:1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIPv6("fe80::1%eth0")).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIPv6("1:2:3:4:5:6:1.2.3.4")).toEqual([1, 2, 3, 4, 5, 6, 0x102, 0x304]);
    expect(parseIPv6("::")).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6("1::2::3")).toBeUndefined();
    expect(parseIPv6("1:2:3:4:5:6:7")).toBeUndefined();
    expect(parseIPv6("12345::")).toBeUndefined();
    expect(parseIPv6("::ffff:1.2.3.999")).toBeUndefined();
  });
});

describe("hosts refused, in every spelling", () => {
  const cases: [string, RegExp][] = [
    ["127.0.0.1", /loopback/],
    ["127.255.255.254", /loopback/],
    ["2130706433", /loopback/],
    ["0177.0.0.1", /loopback/],
    ["0x7f.1", /loopback/],
    ["127.1", /loopback/],
    ["127.0.0.1.", /loopback/],
    ["10.0.0.1", /private/],
    ["10.255.255.255", /private/],
    ["172.16.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.1.1", /private/],
    ["169.254.169.254", /link-local/],
    ["169.254.0.1", /link-local/],
    ["100.64.0.1", /shared/],
    ["100.127.255.255", /shared/],
    ["0.0.0.0", /this network/],
    ["0", /this network/],
    ["224.0.0.1", /multicast/],
    ["239.255.255.250", /multicast/],
    ["240.0.0.1", /reserved/],
    ["255.255.255.255", /reserved/],
    ["[::1]", /loopback/],
    ["[::]", /unspecified/],
    ["[::ffff:127.0.0.1]", /loopback/],
    ["[::ffff:7f00:1]", /loopback/],
    ["[::ffff:a9fe:a9fe]", /link-local/],
    ["[::ffff:10.0.0.1]", /private/],
    ["[64:ff9b::7f00:1]", /loopback/],
    ["[2002:7f00:1::]", /loopback/],
    ["[fe80::1]", /link-local/],
    ["[febf::1]", /link-local/],
    ["[fc00::1]", /unique local/],
    ["[fd12:3456::1]", /unique local/],
    ["[ff02::1]", /multicast/],
    ["[::127.0.0.1]", /IPv4-compatible/],
    ["localhost", /local host/],
    ["LOCALHOST.", /local host/],
    ["api.localhost", /local host/],
    ["printer.local", /local host/],
    ["metadata.google.internal", /metadata/],
    ["metadata.google.internal.", /metadata/],
    ["metadata", /metadata/],
    ["instance-data.ec2.internal", /metadata/],
    ["db.internal", /local host/],
    ["intranet", /single-label/],
    ["10.1", /private/],
    ["0xa9.0xfe.0xa9.0xfe", /link-local/],
    ["3232235777", /private/],
  ];
  for (const [host, why] of cases)
    it(host, () => {
      expect(hostRefusal(host)).toMatch(why);
    });

  it("public addresses and names pass", () => {
    for (const host of [
      "93.184.215.14",
      "8.8.8.8",
      "172.32.0.1",
      "100.128.0.1",
      "192.169.0.1",
      "[2606:4700::6810:84e5]",
      "example.com",
      "hooks.example.co.uk",
      "EXAMPLE.COM.",
    ])
      expect(hostRefusal(host), host).toBeUndefined();
  });
});

describe("webhook URLs", () => {
  it("accept https to a public host only", () => {
    accepted("https://example.com/hook");
    accepted("https://example.com:8443/hook?x=1");
    accepted("https://93.184.215.14/hook");
    refused("http://example.com/hook");
    refused("ftp://example.com/hook");
    refused("javascript:alert(1)");
    refused("not a url");
    refused(`https://example.com/${"a".repeat(2100)}`);
  });

  it("refuse private destinations in every spelling the URL parser normalises", () => {
    for (const url of [
      ...LOOPBACK_SPELLINGS,
      "https://[::1]:8443/",
      "https://169.254.169.254/latest/meta-data/",
      "https://metadata.google.internal/computeMetadata/v1/",
      "https://localhost/",
      "https://foo.localhost./",
      "https://10.0.0.1./",
      "https://100.64.0.1/",
      "https://%31%32%37.0.0.1/",
    ])
      refused(url);
  });

  it("refuse userinfo tricks and fragments", () => {
    refused("https://example.com@127.0.0.1/");
    refused("https://user:pass@example.com/");
    refused("https://example.com:@127.0.0.1/");
    refused("https://127.0.0.1#@example.com/");
    refused("https://example.com/hook#frag");
  });

  it("with the loopback flag, allow exactly http(s)://127.0.0.1:<port> and localhost:<port>", () => {
    accepted("http://127.0.0.1:8080/hook", true);
    accepted("https://127.0.0.1:8443/hook", true);
    accepted("http://localhost:3000/hook", true);
    accepted("https://example.com/hook", true);
    refused("http://127.0.0.1/hook", true); // no port
    refused("http://127.0.0.2:8080/", true);
    refused("http://[::1]:8080/", true);
    refused("http://10.0.0.1:8080/", true);
    refused("http://api.localhost:8080/", true);
    refused("http://example.com:8080/", true);
    refused("http://169.254.169.254:80/", true);
    refused("http://user@127.0.0.1:8080/", true);
  });

  it("without the flag, loopback is refused even with a port", () => {
    refused("http://127.0.0.1:8080/hook");
    refused("https://127.0.0.1:8443/hook");
    refused("http://localhost:3000/hook");
  });
});
