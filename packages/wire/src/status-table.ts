// The one table from error code to what a client sees: HTTP status, reason phrase and the
// RFC 9209 Proxy-Status error type. Both nodes answer from it; the docs are generated from it, with
// the SOCKS5 reply code and TLS alert the other front doors answer the same refusal with.
import { SOCKS5_REPLY, socks5ReplyForError } from "./socks5-answers.ts";
import { TLS_ALERT, tlsAlertForError } from "./tls-alert.ts";

/** One row of the status table. */
export type ErrorRow = {
  readonly status: number;
  readonly reason: string;
  /** RFC 9209 §2.3 error type (a token), written as `error=<type>` in Proxy-Status. */
  readonly proxyStatus: string;
  /** One line for humans and for the docs. */
  readonly summary: string;
  /** Value of the `Allow` header the response carries (405 only). */
  readonly allow?: string;
  /** Seconds for the `Retry-After` header the response carries (503 only). */
  readonly retryAfter?: number;
  /** Default `Proxy-Authenticate` challenge (407 only; RFC 9110 §15.5.8 requires one). */
  readonly proxyAuthenticate?: string;
};

/** The status table, keyed by stable error code. Codes never change; summaries may. */
export const ERRORS = {
  TLSB_ERR_BAD_REQUEST: {
    status: 400, reason: "Bad Request", proxyStatus: "http_request_error",
    summary: "malformed request head",
  },
  TLSB_ERR_BAD_TARGET: {
    status: 400, reason: "Bad Request", proxyStatus: "http_request_error",
    summary: "CONNECT target is not a valid host:port",
  },
  TLSB_ERR_HEAD_TOO_LARGE: {
    status: 431, reason: "Request Header Fields Too Large", proxyStatus: "http_request_error",
    summary: "request head larger than the limit",
  },
  TLSB_ERR_HEAD_TIMEOUT: {
    status: 408, reason: "Request Timeout", proxyStatus: "http_request_error",
    summary: "request head not received in time",
  },
  TLSB_ERR_BAD_HELLO: {
    status: 400, reason: "Bad Request", proxyStatus: "http_request_error",
    summary: "SNI listener: not TLS, or a malformed or truncated ClientHello (answered with a TLS alert, or a plain close when the client is not TLS)",
  },
  TLSB_ERR_NO_SNI: {
    status: 400, reason: "Bad Request", proxyStatus: "http_request_error",
    summary: "SNI listener: the ClientHello names no server (answered with the missing_extension alert)",
  },
  TLSB_ERR_METHOD_NOT_ALLOWED: {
    status: 405, reason: "Method Not Allowed", proxyStatus: "http_request_denied",
    summary: "method other than CONNECT (SOCKS5: a command other than CONNECT)", allow: "CONNECT",
  },
  TLSB_ERR_PROXY_AUTH: {
    status: 407, reason: "Proxy Authentication Required", proxyStatus: "http_request_denied",
    summary: "proxy authentication missing or wrong", proxyAuthenticate: 'Basic realm="tlsbridge"',
  },
  TLSB_ERR_AUTH_BUSY: {
    status: 503, reason: "Service Unavailable", proxyStatus: "connection_limit_reached",
    summary: "too many proxy logins being checked at once (the scrypt gate's queue is full)", retryAfter: 1,
  },
  TLSB_ERR_NO_ROUTE: {
    status: 403, reason: "Forbidden", proxyStatus: "http_request_denied",
    summary: "no rule matches the target",
  },
  TLSB_ERR_DESTINATION_DENIED: {
    status: 403, reason: "Forbidden", proxyStatus: "destination_ip_prohibited",
    summary: "destination not on the peer's allow-list",
  },
  TLSB_ERR_DESTINATION_ADDRESS: {
    status: 403, reason: "Forbidden", proxyStatus: "destination_ip_prohibited",
    summary: "the name resolved only to addresses its allow entries do not admit (loopback, link-local, metadata, unspecified, multicast unless listed in `addresses:`); the address is in details",
  },
  TLSB_ERR_DNS: {
    status: 502, reason: "Bad Gateway", proxyStatus: "dns_error",
    summary: "target name does not resolve (rcode given)",
  },
  TLSB_ERR_CONNECTION_REFUSED: {
    status: 502, reason: "Bad Gateway", proxyStatus: "connection_refused",
    summary: "service refused the connection",
  },
  TLSB_ERR_DESTINATION_UNAVAILABLE: {
    status: 502, reason: "Bad Gateway", proxyStatus: "destination_unavailable",
    summary: "service unreachable",
  },
  TLSB_ERR_CONNECT_TIMEOUT: {
    status: 504, reason: "Gateway Timeout", proxyStatus: "connection_timeout",
    summary: "connecting to the next hop timed out",
  },
  TLSB_ERR_PEER_UNREACHABLE: {
    status: 502, reason: "Bad Gateway", proxyStatus: "connection_refused",
    summary: "peer refused or unreachable",
  },
  TLSB_ERR_PEER_TLS: {
    status: 502, reason: "Bad Gateway", proxyStatus: "tls_protocol_error",
    summary: "TLS handshake with the peer failed",
  },
  TLSB_ERR_PEER_CERT: {
    status: 502, reason: "Bad Gateway", proxyStatus: "tls_certificate_error",
    summary: "peer certificate rejected",
  },
  TLSB_ERR_INGRESS_CERT: {
    status: 502, reason: "Bad Gateway", proxyStatus: "tls_certificate_error",
    summary: "the peer refused the ingress's client certificate (wrong CA, expired, not pinned): answered by the peer right after the TLS handshake, with OpenSSL's reason in details",
  },
  TLSB_ERR_PEER_RESPONSE: {
    status: 502, reason: "Bad Gateway", proxyStatus: "http_response_incomplete",
    summary: "peer sent a malformed or oversized response head",
  },
  TLSB_ERR_CORP_PROXY_UNREACHABLE: {
    status: 502, reason: "Bad Gateway", proxyStatus: "connection_refused",
    summary: "the corporate proxy a peer is reached through (`via:`) refused the connection or is unreachable; `next-hop` names it",
  },
  TLSB_ERR_CORP_PROXY_TIMEOUT: {
    status: 504, reason: "Gateway Timeout", proxyStatus: "connection_timeout",
    summary: "the corporate proxy did not accept the connection, or answer its CONNECT, in time; `next-hop` names it",
  },
  TLSB_ERR_CORP_PROXY_TLS: {
    status: 502, reason: "Bad Gateway", proxyStatus: "tls_protocol_error",
    summary: "TLS with an `https://` corporate proxy failed; `next-hop` names it",
  },
  TLSB_ERR_CORP_PROXY_CERT: {
    status: 502, reason: "Bad Gateway", proxyStatus: "tls_certificate_error",
    summary: "an `https://` corporate proxy's certificate failed verification against `via.ca`; `next-hop` names it",
  },
  TLSB_ERR_CORP_PROXY_AUTH: {
    status: 502, reason: "Bad Gateway", proxyStatus: "http_request_denied",
    summary: "the corporate proxy answered 407: its credentials (`via.credentialsFile`/`credentialsEnv`) are missing or wrong; `received-status=407`",
  },
  TLSB_ERR_CORP_PROXY_DENIED: {
    status: 502, reason: "Bad Gateway", proxyStatus: "http_request_denied",
    summary: "the corporate proxy refused the CONNECT to the peer (its status in `received-status`)",
  },
  TLSB_ERR_CORP_PROXY_RESPONSE: {
    status: 502, reason: "Bad Gateway", proxyStatus: "http_response_incomplete",
    summary: "the corporate proxy closed, or answered something that is not an HTTP response, before opening its tunnel",
  },
  TLSB_ERR_TOO_MANY_TUNNELS: {
    status: 503, reason: "Service Unavailable", proxyStatus: "connection_limit_reached",
    summary: "tunnel limit reached", retryAfter: 1,
  },
  TLSB_ERR_PROXY_LOOP: {
    status: 508, reason: "Loop Detected", proxyStatus: "proxy_loop_detected",
    summary: "request already passed through this node",
  },
  TLSB_ERR_INTERNAL: {
    status: 500, reason: "Internal Server Error", proxyStatus: "proxy_internal_error",
    summary: "a fault of this node (a bug): logged as an error",
  },
} as const satisfies Record<string, ErrorRow>;

/** A stable error code: a key of {@link ERRORS}. */
export type ErrorCode = keyof typeof ERRORS;

/** Every error code, in table order. */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze(Object.keys(ERRORS) as ErrorCode[]);

/** True when `code` is one of ours. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERRORS, code);
}

/** The table row for `code`. */
export function errorResponseFor(code: ErrorCode): ErrorRow {
  return ERRORS[code];
}

const SOCKS5_REPLY_NAMES = new Map<number, string>(Object.entries(SOCKS5_REPLY).map(([name, value]) => [value, name]));
const TLS_ALERT_NAMES = new Map<number, string>(Object.entries(TLS_ALERT).map(([name, value]) => [value, name]));

/** What a SOCKS5 client sees for `code` once it sent its request (earlier steps: docs/errors.md). */
function socks5Answer(code: ErrorCode): string {
  const reply = socks5ReplyForError(code);
  return `\`${reply.toString(16).padStart(2, "0")}\` ${SOCKS5_REPLY_NAMES.get(reply) ?? ""}`;
}

/** What a client of an SNI listener sees for `code`: a fatal alert, or a close when it is not TLS. */
function sniAnswer(code: ErrorCode): string {
  const alert = tlsAlertForError(code);
  return `alert ${alert} ${TLS_ALERT_NAMES.get(alert) ?? ""}`;
}

/** The table as a Markdown table, for docs; a test keeps the docs equal to this. */
export function statusTableMarkdown(): string {
  const lines = [
    "| code | status | Proxy-Status error | extra headers | SOCKS5 reply | SNI listener | meaning |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const code of ERROR_CODES) {
    const row: ErrorRow = ERRORS[code];
    const extra: string[] = [];
    if (row.allow !== undefined) extra.push(`\`Allow: ${row.allow}\``);
    if (row.retryAfter !== undefined) extra.push(`\`Retry-After: ${row.retryAfter}\``);
    if (row.proxyAuthenticate !== undefined) extra.push("`Proxy-Authenticate`");
    lines.push(
      `| \`${code}\` | ${row.status} ${row.reason} | \`${row.proxyStatus}\` | ${extra.join(", ")} | ${socks5Answer(code)} | ${sniAnswer(code)} | ${row.summary} |`,
    );
  }
  return lines.join("\n") + "\n";
}
