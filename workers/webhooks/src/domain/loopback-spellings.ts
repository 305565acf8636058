/**
 * Test data, for the unit and the HTTP tests alike: 127.0.0.1 in the spellings the URL parser turns
 * back into it (decimal, octal, hex, short forms, IPv4-mapped IPv6). Each must be refused.
 */
export const LOOPBACK_SPELLINGS = [
  "https://127.0.0.1/",
  "https://2130706433/",
  "https://0177.0.0.1/",
  "https://0x7f.1/",
  "https://127.1/",
  "https://[::ffff:127.0.0.1]/",
  "https://[::ffff:7f00:1]/",
];
