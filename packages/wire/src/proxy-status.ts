// Builds RFC 9209 Proxy-Status members: which node answered and why, as Structured Field items
// (RFC 8941), so a client or operator can tell the ingress's refusals from the peer's.
import { isFieldValue, trimOws } from "./header-fields.ts";

/** Parameters of our Proxy-Status member (RFC 9209 §2.1, §2.3.2). */
export type ProxyStatusParams = {
  /** Free text, sent as an sf-string (control and non-ASCII characters dropped, 256 chars max). */
  details?: string;
  /** DNS RCODE (e.g. `NXDOMAIN`); written only for `dns_error`. */
  rcode?: string;
  /** Status received from the next hop (`received-status`, RFC 9209 §2.1.2). */
  receivedStatus?: number;
  /** The next hop this member's error is about (`next-hop`, RFC 9209 §2.1.1), e.g. a corporate proxy. */
  nextHop?: string;
};

const SF_TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/;
const MAX_STRING = 256;

/** An RFC 8941 sf-string: printable ASCII only, `"` and `\` escaped, at most 256 characters. */
export function sfString(s: string): string {
  let out = "";
  let n = 0;
  for (let i = 0; i < s.length && n < MAX_STRING; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) continue;
    const ch = s[i] ?? "";
    out += ch === '"' || ch === "\\" ? `\\${ch}` : ch;
    n++;
  }
  return `"${out}"`;
}

/** `s` as a bare sf-token when it is one, else as an sf-string (RFC 9209 §2: the node is either). */
export function sfTokenOrString(s: string): string {
  return SF_TOKEN.test(s) ? s : sfString(s);
}

/**
 * One Proxy-Status member: `<node>; error=<type>[; received-status=N][; next-hop=...][; details="..."][; rcode="..."]`. An empty
 * `errorType` writes no `error` parameter (a hop that relays without failing).
 */
export function proxyStatusEntry(node: string, errorType: string, params: ProxyStatusParams = {}): string {
  let out = sfTokenOrString(node);
  if (errorType !== "") {
    if (!SF_TOKEN.test(errorType)) throw new TypeError(`invalid Proxy-Status error type ${JSON.stringify(errorType)}`);
    out += `; error=${errorType}`;
  }
  if (params.receivedStatus !== undefined) {
    if (!Number.isInteger(params.receivedStatus) || params.receivedStatus < 100 || params.receivedStatus > 999) {
      throw new TypeError(`invalid received-status ${params.receivedStatus}`);
    }
    out += `; received-status=${params.receivedStatus}`;
  }
  if (params.nextHop !== undefined && params.nextHop !== "") out += `; next-hop=${sfTokenOrString(params.nextHop)}`;
  // Parameters that sanitise to nothing are left out rather than written as "".
  const details = params.details === undefined ? '""' : sfString(params.details);
  if (details !== '""') out += `; details=${details}`;
  const rcode = params.rcode === undefined ? '""' : sfString(params.rcode);
  if (rcode !== '""' && errorType === "dns_error") out += `; rcode=${rcode}`;
  return out;
}

/**
 * The Proxy-Status field value: upstream members first (each kept as received when it is a valid
 * field value, dropped otherwise), then ours (RFC 9209 §2: last is the hop closest to the client).
 */
export function joinProxyStatus(upstream: readonly string[], ours: string): string {
  const kept: string[] = [];
  for (const raw of upstream) {
    const v = trimOws(raw);
    if (v !== "" && isFieldValue(v)) kept.push(v);
  }
  kept.push(ours);
  return kept.join(", ");
}

/** What one Proxy-Status member says: the node and its `error` and `details` parameters. */
export type ProxyStatusMember = { readonly node: string; readonly error?: string; readonly details?: string };

/**
 * The last member of a Proxy-Status field (RFC 9209 §2: the hop closest to us), read from its
 * field lines, or undefined when there is none or it does not parse. A small reader for the one
 * list shape RFC 9209 uses (sf-token or sf-string items with token or string parameters), not a
 * general RFC 8941 parser; anything it does not expect makes it give up rather than guess.
 */
export function lastProxyStatusMember(fieldLines: readonly string[]): ProxyStatusMember | undefined {
  const members = splitOutsideQuotes(fieldLines.join(","), ",").map(trimOws).filter((m) => m !== "");
  const last = members.at(-1);
  if (last === undefined) return undefined;
  const [item = "", ...params] = splitOutsideQuotes(last, ";").map(trimOws);
  const node = bareOrString(item);
  if (node === undefined) return undefined;
  let error: string | undefined;
  let details: string | undefined;
  for (const param of params) {
    const eq = param.indexOf("=");
    const key = eq < 0 ? param : param.slice(0, eq);
    const value = eq < 0 ? undefined : bareOrString(param.slice(eq + 1));
    if (key === "error") error = value;
    if (key === "details") details = value;
  }
  return { node, ...(error !== undefined ? { error } : {}), ...(details !== undefined ? { details } : {}) };
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? "";
    if (quoted && ch === "\\") {
      current += ch + (text[i + 1] ?? "");
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === separator) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function bareOrString(text: string): string | undefined {
  if (SF_TOKEN.test(text)) return text;
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1).replace(/\\(["\\])/g, "$1");
  return undefined;
}
