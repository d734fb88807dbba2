// The `Forwarded` header (RFC 7239) the ingress puts on the replayed CONNECT: who the client was, so
// the peer can log it and hand it to a service in a PROXY header. The ingress writes exactly one
// element and drops whatever the client sent; the peer reads the last element (the hop nearest to
// it, RFC 7239 §4), which only an mTLS-authenticated ingress can have written.
//
//   Forwarded: for="10.1.2.3:51234";user="alice"
//   Forwarded: for="[2001:db8::7]:51234"
//
// `for` is the client's address and port (§6; quoted, since ":" is not a token character; IPv6 in
// brackets), `unknown` when the ingress no longer knew it. `user` is our extension parameter (§5.5):
// the proxy user the listener authenticated, percent-encoded UTF-8 (user names may be any Unicode
// text, a header only Latin-1), absent without proxy authentication.
import { isToken } from "./header-fields.ts";
import { formatSocketAddress, socketAddress } from "./socket-address.ts";
import type { SocketAddress } from "./socket-address.ts";

/** Who the client of a tunnel was, as the ingress told the peer. */
export type ForwardedClient = {
  /** Undefined: not said, `unknown`, obfuscated, or not an address with a port. */
  readonly client: SocketAddress | undefined;
  /** The authenticated proxy user; undefined when none was named. */
  readonly user: string | undefined;
};

/** The `Forwarded` value for a client at `client` (undefined: unknown) and its proxy user, if any. */
export function formatForwarded(client: SocketAddress | undefined, user?: string): string {
  const forValue = client === undefined ? "unknown" : `"${formatSocketAddress(client)}"`;
  return user === undefined ? `for=${forValue}` : `for=${forValue};user="${encodeURIComponent(user)}"`;
}

/**
 * Reads the last element of every `Forwarded` value. A header that is not valid RFC 7239 syntax
 * names nobody (both fields undefined): no part of it can be trusted to be the nearest hop's.
 */
export function parseForwarded(values: readonly string[]): ForwardedClient {
  const nobody: ForwardedClient = { client: undefined, user: undefined };
  if (values.length === 0) return nobody;
  const elements = forwardedElements(values.join(","));
  const last = elements?.at(-1);
  if (last === undefined) return nobody;
  return { client: nodeAddress(last.get("for")), user: userName(last.get("user")) };
}

/**
 * Splits a Forwarded field value into elements of lowercased parameter names and their (unquoted)
 * values; undefined when it is malformed (RFC 7239 §4):
 *   Forwarded = 1#forwarded-element; forwarded-element = [pair] *( ";" [pair] );
 *   pair = token "=" ( token / quoted-string )
 */
function forwardedElements(text: string): Array<Map<string, string>> | undefined {
  const elements: Array<Map<string, string>> = [];
  let element = new Map<string, string>();
  let i = 0;
  const skipOws = (): void => {
    while (text[i] === " " || text[i] === "\t") i++;
  };
  for (;;) {
    skipOws();
    if (i < text.length && text[i] !== ";" && text[i] !== ",") {
      const eq = text.indexOf("=", i);
      if (eq === -1) return undefined;
      const name = text.slice(i, eq).toLowerCase();
      if (!isToken(name) || element.has(name)) return undefined;
      i = eq + 1;
      const value = text[i] === '"' ? quotedString() : tokenValue();
      if (value === undefined) return undefined;
      element.set(name, value);
      skipOws();
    }
    if (i >= text.length) break;
    const separator = text[i++];
    if (separator === ",") {
      if (element.size > 0) elements.push(element);
      element = new Map();
    } else if (separator !== ";") {
      return undefined;
    }
  }
  if (element.size > 0) elements.push(element);
  return elements;

  function tokenValue(): string | undefined {
    const start = i;
    while (i < text.length && isToken(text[i] as string)) i++;
    return i > start ? text.slice(start, i) : undefined;
  }

  function quotedString(): string | undefined {
    let out = "";
    for (i++; i < text.length; i++) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") i++;
      if (i >= text.length) return undefined;
      out += text[i];
    }
    return undefined;
  }
}

/** `a.b.c.d:port` or `[v6]:port` (RFC 7239 §6); anything else (`unknown`, `_hidden`, no port) is undefined. */
function nodeAddress(node: string | undefined): SocketAddress | undefined {
  if (node === undefined) return undefined;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(node);
  if (match === null) return undefined;
  if (match[1] !== undefined && !match[1].includes(":")) return undefined; // brackets hold IPv6 only
  return socketAddress(match[1] ?? match[2], Number(match[3]));
}

function userName(encoded: string | undefined): string | undefined {
  if (encoded === undefined || encoded === "") return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}
