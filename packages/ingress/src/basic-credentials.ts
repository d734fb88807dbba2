// Reads `Proxy-Authorization: Basic <base64(user:password)>` (RFC 7617, RFC 9110 §11.7.1). Strict:
// anything that is not exactly one well-formed Basic credential is refused, never guessed at.

/** A user and password from a Basic credential. */
export type BasicCredentials = { readonly user: string; readonly password: string };

const BASIC = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The user and password of a Basic header value, or undefined when it is not one. */
export function parseBasicCredentials(value: string): BasicCredentials | undefined {
  const m = BASIC.exec(value.trim());
  if (m === null || m[1] === undefined || m[1].length % 4 === 1) return undefined;
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(m[1], "base64"));
  } catch {
    return undefined;
  }
  // RFC 7617 §2: the user-id cannot contain a colon, the password can.
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * The Basic credential value for a user and password that came another way (a SOCKS5 login), so
 * one authenticator, cache and throttle serve every door. A user name with a colon cannot be
 * expressed and fails as an unknown user, as it would over HTTP.
 */
export function formatBasicCredentials(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
}
