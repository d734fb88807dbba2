// Writes the response heads a node sends its client: 200 to open a tunnel, a refusal from the
// status table, or the peer's refusal relayed with our Proxy-Status member appended.
import type { TunnelError } from "./errors.ts";
import { headerLines, headerValues, isFieldValue, isToken, trimOws } from "./header-fields.ts";
import type { HeaderList } from "./header-fields.ts";
import { joinProxyStatus, proxyStatusEntry } from "./proxy-status.ts";
import type { ProxyStatusParams } from "./proxy-status.ts";
import type { ResponseHead } from "./response-head.ts";
import { ERRORS } from "./status-table.ts";
import type { ErrorRow } from "./status-table.ts";

// RFC 9110 §7.6.1 hop-by-hop fields plus the framing we rewrite ourselves; none is relayed.
const NOT_RELAYED = new Set([
  "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
  "content-length", "proxy-authenticate", "proxy-authorization", "proxy-status",
]);

/**
 * `HTTP/1.1 200 Connection Established` plus `headers`. Throws TypeError for a header that would
 * inject lines, or for Content-Length/Transfer-Encoding (RFC 9110 §9.3.6 forbids them here).
 */
export function formatConnectEstablished(headers: HeaderList = []): Buffer {
  for (const [name] of headers) {
    const lower = name.toLowerCase();
    if (lower === "content-length" || lower === "transfer-encoding") {
      throw new TypeError(`${name} is not allowed in a 2xx response to CONNECT`);
    }
  }
  return Buffer.from(`HTTP/1.1 200 Connection Established\r\n${headerLines(headers)}\r\n`, "latin1");
}

/**
 * The refusal for `err`: status line from the status table, `Proxy-Status` (upstream members
 * first, ours appended), `Allow` / `Retry-After` / `Proxy-Authenticate` where the row says,
 * `extraHeaders`, then `Connection: close` and `Content-Length: 0`.
 */
export function formatErrorResponse(
  err: TunnelError,
  node: string,
  upstreamProxyStatus: readonly string[] = [],
  extraHeaders: HeaderList = [],
): Buffer {
  const row: ErrorRow = ERRORS[err.code];
  const params: ProxyStatusParams = {};
  if (err.details !== undefined) params.details = err.details;
  if (err.rcode !== undefined) params.rcode = err.rcode;
  if (err.nextHop !== undefined) params.nextHop = err.nextHop;
  if (err.receivedStatus !== undefined) params.receivedStatus = err.receivedStatus;
  const headers: HeaderList = [["Proxy-Status", joinProxyStatus(upstreamProxyStatus, proxyStatusEntry(node, row.proxyStatus, params))]];
  if (row.allow !== undefined) headers.push(["Allow", row.allow]);
  if (row.retryAfter !== undefined) headers.push(["Retry-After", String(row.retryAfter)]);
  if (row.proxyAuthenticate !== undefined && headerValues(extraHeaders, "proxy-authenticate").length === 0) {
    headers.push(["Proxy-Authenticate", row.proxyAuthenticate]);
  }
  for (const [name, value] of extraHeaders) {
    const lower = name.toLowerCase();
    if (lower === "connection" || lower === "content-length" || lower === "proxy-status") continue;
    headers.push([name, value]);
  }
  headers.push(["Connection", "close"], ["Content-Length", "0"]);
  return Buffer.from(`HTTP/1.1 ${row.status} ${row.reason}\r\n${headerLines(headers)}\r\n`, "latin1");
}

/**
 * Relays the peer's (non-200) response head to the client: the peer's status and reason, its
 * end-to-end headers, its Proxy-Status members followed by ours (with `received-status`, and the
 * error type of `err` when given). The body is not relayed: `Content-Length: 0`, `Connection: close`.
 * Headers from the peer that are not valid to write are dropped, never thrown on.
 */
export function formatRelayedResponse(head: ResponseHead, node: string, err: TunnelError | undefined): Buffer {
  const named = new Set<string>();
  for (const v of headerValues(head.headers, "connection")) {
    for (const item of v.split(",")) named.add(trimOws(item).toLowerCase());
  }
  const headers: HeaderList = [];
  for (const [name, value] of head.headers) {
    const lower = name.toLowerCase();
    if (NOT_RELAYED.has(lower) || named.has(lower)) continue;
    if (!isToken(name) || !isFieldValue(value)) continue;
    headers.push([name, value]);
  }
  const ours = proxyStatusEntry(node, err === undefined ? "" : ERRORS[err.code].proxyStatus, {
    receivedStatus: head.status,
    ...(err?.details !== undefined ? { details: err.details } : {}),
    ...(err?.rcode !== undefined ? { rcode: err.rcode } : {}),
  });
  headers.push(["Proxy-Status", joinProxyStatus(headerValues(head.headers, "proxy-status"), ours)]);
  headers.push(["Connection", "close"], ["Content-Length", "0"]);
  const status = Number.isInteger(head.status) && head.status >= 100 && head.status <= 999 ? head.status : 502;
  const reason = isFieldValue(head.reason) ? trimOws(head.reason) : "";
  return Buffer.from(`HTTP/1.1 ${status} ${reason}\r\n${headerLines(headers)}\r\n`, "latin1");
}

