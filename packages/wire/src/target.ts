// Validates and normalises a CONNECT target (authority-form, RFC 9112 §3.2.3): the host and port
// every later decision (routing, allow-list, DNS) is made on, so it must be exact and canonical.
import { TunnelError } from "./errors.ts";

/** A validated CONNECT target. */
export type Target = {
  /** Lowercase; no trailing dot; IPv6 without brackets, in RFC 5952 form. */
  host: string;
  port: number;
  kind: "dns" | "ipv4" | "ipv6";
  /** Normalised `host:port` or `[v6]:port`. */
  authority: string;
};

const PORT = /^[1-9][0-9]{0,4}$/;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const DIGITS = /^[0-9]+$/;
const HEX16 = /^[0-9a-f]{1,4}$/;
/** `http://host:port/...`: what a client sends when it takes the proxy for an origin (issue 15). */
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function bad(authority: string, why: string): TunnelError {
  return new TunnelError("TLSB_ERR_BAD_TARGET", `bad CONNECT target ${JSON.stringify(authority)}: ${why}`, {
    details: why,
  });
}

/**
 * Parses `host:port`, dotted-quad `a.b.c.d:port` or `[v6]:port`. Port 1-65535 without leading
 * zeros; hostnames are letters, digits, hyphen and underscore, labels 1-63 without a leading or
 * trailing hyphen, 253 bytes in all. Throws `TunnelError("TLSB_ERR_BAD_TARGET")`.
 */
export function parseTarget(authority: string): Target {
  for (let i = 0; i < authority.length; i++) {
    const c = authority.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) throw bad(authority, "control, space or non-ASCII character");
  }
  if (URL_SCHEME.test(authority)) throw bad(authority, "a URL, not a CONNECT target");
  let hostPart: string;
  let portPart: string;
  let bracketed = false;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) throw bad(authority, "unterminated IPv6 literal");
    hostPart = authority.slice(1, close);
    const after = authority.slice(close + 1);
    if (!after.startsWith(":")) throw bad(authority, "missing port");
    portPart = after.slice(1);
    bracketed = true;
  } else {
    const colon = authority.lastIndexOf(":");
    if (colon < 0) throw bad(authority, "missing port");
    hostPart = authority.slice(0, colon);
    portPart = authority.slice(colon + 1);
    if (hostPart.includes(":")) throw bad(authority, "IPv6 literal must be in brackets");
  }
  if (!PORT.test(portPart)) throw bad(authority, "port must be 1-65535");
  const port = Number(portPart);
  if (port > 65535) throw bad(authority, "port must be 1-65535");
  if (hostPart.length === 0) throw bad(authority, "empty host");

  if (bracketed) {
    const host = canonicalIpv6(hostPart);
    if (host === undefined) throw bad(authority, "invalid IPv6 literal");
    return { host, port, kind: "ipv6", authority: `[${host}]:${port}` };
  }
  let host = hostPart.toLowerCase();
  if (host.endsWith(".")) host = host.slice(0, -1);
  if (host.length === 0) throw bad(authority, "empty host");
  const labels = host.split(".");
  const last = labels[labels.length - 1] ?? "";
  if (DIGITS.test(last)) {
    // A numeric last label means an IPv4 address (WHATWG URL); only the plain dotted quad is
    // accepted: no shorthand (127.1), no octal (010.0.0.1), no hex.
    const ip = ipv4Octets(host);
    if (ip === undefined) throw bad(authority, "invalid IPv4 address");
    return { host, port, kind: "ipv4", authority: `${host}:${port}` };
  }
  if (host.length > 253) throw bad(authority, "host longer than 253 characters");
  for (const label of labels) {
    if (label.length === 0) throw bad(authority, "empty label in host");
    if (label.length > 63) throw bad(authority, "label longer than 63 characters");
    if (!LABEL.test(label)) throw bad(authority, "invalid character or hyphen placement in host");
  }
  return { host, port, kind: "dns", authority: `${host}:${port}` };
}

/** The four octets of a strict dotted quad, or undefined. */
export function ipv4Octets(s: string): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!DIGITS.test(p) || p.length > 3 || (p.length > 1 && p.startsWith("0"))) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out.push(v);
  }
  return out;
}

/** RFC 5952 text of an IPv6 address (no zone), or undefined when `s` is not one. */
export function canonicalIpv6(s: string): string | undefined {
  const groups = ipv6Groups(s);
  return groups === undefined ? undefined : formatIpv6(groups);
}

/** The eight 16-bit groups of an IPv6 address (no zone; a dotted IPv4 tail allowed), or undefined. */
export function ipv6Groups(s: string): number[] | undefined {
  const lower = s.toLowerCase();
  const halves = lower.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const items = part.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i] ?? "";
      if (i === items.length - 1 && item.includes(".")) {
        const v4 = ipv4Octets(item);
        if (v4 === undefined) return undefined;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        if (!HEX16.test(item)) return undefined;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groupsOf(halves[0] ?? "");
  if (head === undefined) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const tail = groupsOf(halves[1] ?? "");
    if (tail === undefined) return undefined;
    const zeros = 8 - head.length - tail.length;
    if (zeros < 1) return undefined;
    groups = [...head, ...new Array<number>(zeros).fill(0), ...tail];
  } else {
    groups = head;
  }
  return groups.length === 8 ? groups : undefined;
}

function formatIpv6(g: number[]): string {
  // IPv4-mapped addresses keep the dotted tail (RFC 5952 §5).
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    const a = g[6] ?? 0;
    const b = g[7] ?? 0;
    return `::ffff:${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  // Longest run of two or more zero groups, the first on a tie, becomes "::" (RFC 5952 §4.2).
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(":");
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}
