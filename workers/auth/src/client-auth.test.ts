import { describe, expect, it } from "vitest";
import { clientCredentials, formDecode, parseBasic } from "./client-auth";

const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
const basic = (id: string, secret: string) =>
  "Basic " + btoa(String.fromCharCode(...new TextEncoder().encode(`${enc(id)}:${enc(secret)}`)));

describe("client_secret_basic (RFC 6749 §2.3.1)", () => {
  it("form-decodes the id and the secret after base64", () => {
    expect(parseBasic(basic("my client:1", "s3cr+t/=%&ü"))).toEqual({ id: "my client:1", secret: "s3cr+t/=%&ü" });
    // A "+" in the encoded form is a space; a literal plus arrives as %2B.
    expect(parseBasic("Basic " + btoa("a+b:c%2Bd"))).toEqual({ id: "a b", secret: "c+d" });
    expect(parseBasic("basic " + btoa("cli_1:eft_cs_x-y_z"))).toEqual({ id: "cli_1", secret: "eft_cs_x-y_z" });
  });

  it("rejects malformed credentials", () => {
    expect(parseBasic("Basic !!!")).toBeUndefined();
    expect(parseBasic("Basic " + btoa("no-colon"))).toBeUndefined();
    expect(parseBasic("Basic " + btoa(":secret"))).toBeUndefined();
    expect(parseBasic("Basic " + btoa("id:%E0%A4%A"))).toBeUndefined();
    expect(parseBasic("Bearer abc")).toBeUndefined();
    expect(formDecode("%zz")).toBeUndefined();
  });
});

describe("choosing the client authentication method", () => {
  const f = (o: Record<string, string>) => new URLSearchParams(o);
  it("basic, post, none", () => {
    expect(clientCredentials(basic("a", "b"), f({}))).toEqual({
      ok: true,
      credentials: { id: "a", secret: "b", method: "client_secret_basic" },
    });
    expect(clientCredentials(undefined, f({ client_id: "a", client_secret: "b" }))).toEqual({
      ok: true,
      credentials: { id: "a", secret: "b", method: "client_secret_post" },
    });
    expect(clientCredentials(undefined, f({}))).toEqual({ ok: true, credentials: undefined });
    expect(clientCredentials("Bearer xyz", f({}))).toEqual({ ok: true, credentials: undefined });
  });

  it("refuses two methods at once, a secret without id, and an id without secret", () => {
    expect(clientCredentials(basic("a", "b"), f({ client_secret: "b" }))).toMatchObject({ ok: false, error: "invalid_request" });
    expect(clientCredentials(basic("a", "b"), f({ client_id: "other" }))).toMatchObject({ ok: false, error: "invalid_request" });
    expect(clientCredentials(basic("a", "b"), f({ client_id: "a" }))).toMatchObject({ ok: true });
    expect(clientCredentials(undefined, f({ client_secret: "b" }))).toMatchObject({ ok: false, error: "invalid_request" });
    expect(clientCredentials(undefined, f({ client_id: "a" }))).toMatchObject({ ok: false, error: "invalid_client" });
    expect(clientCredentials("Basic ???", f({}))).toMatchObject({ ok: false, error: "invalid_client" });
  });
});
