/**
 * OAuth 2.0 client authentication (RFC 6749 §2.3.1), pure so it is unit-tested on its own.
 * `client_secret_basic`: the client id and secret are each application/x-www-form-urlencoded, then
 * joined with ":" and base64-encoded; so both are form-decoded here ("+" is a space, %XX an octet).
 */
export interface ClientCredentials {
  id: string;
  secret: string;
  method: "client_secret_basic" | "client_secret_post";
}

export type ClientAuthResult =
  | { ok: true; credentials: ClientCredentials | undefined }
  | { ok: false; error: "invalid_client" | "invalid_request"; description: string };

/** application/x-www-form-urlencoded decoding of one value; undefined when the escapes are malformed. */
export function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** The client credentials `Authorization: Basic` carries, per RFC 6749 §2.3.1 (with RFC 7617 framing). */
export function parseBasic(header: string): { id: string; secret: string } | undefined {
  const m = /^basic +([A-Za-z0-9+/=._~-]+) *$/i.exec(header);
  if (!m) return undefined;
  let decoded: string;
  try {
    const bytes = Uint8Array.from(atob(m[1].replace(/-/g, "+").replace(/_/g, "/")), (ch) => ch.charCodeAt(0));
    decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (!id || secret === undefined) return undefined;
  return { id, secret };
}

/** Which credentials the request presents, if any; more than one method is an error (RFC 6749 §2.3). */
export function clientCredentials(authorization: string | undefined, form: URLSearchParams): ClientAuthResult {
  const isBasic = /^basic\b/i.test(authorization ?? "");
  const postId = form.get("client_id");
  const postSecret = form.get("client_secret");
  if (isBasic) {
    if (postSecret !== null) return { ok: false, error: "invalid_request", description: "Use one client authentication method, not two." };
    const basic = parseBasic(authorization!);
    if (!basic) return { ok: false, error: "invalid_client", description: "The Basic credentials are malformed." };
    if (postId !== null && postId !== basic.id)
      return { ok: false, error: "invalid_request", description: "client_id differs from the authenticated client." };
    return { ok: true, credentials: { ...basic, method: "client_secret_basic" } };
  }
  if (postSecret !== null) {
    if (!postId) return { ok: false, error: "invalid_request", description: "client_secret needs client_id." };
    return { ok: true, credentials: { id: postId, secret: postSecret, method: "client_secret_post" } };
  }
  if (postId !== null) return { ok: false, error: "invalid_client", description: "Client authentication is required." };
  return { ok: true, credentials: undefined };
}
