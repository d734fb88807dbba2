// What a SOCKS5 server writes (RFC 1928 §3, §6; RFC 1929 §2), and which reply code answers each of
// our refusals: the same situations that get an HTTP status and Proxy-Status over HTTP CONNECT.
import type { ErrorCode } from "./status-table.ts";

/** Reply codes (RFC 1928 §6). */
export const SOCKS5_REPLY = {
  succeeded: 0x00,
  generalFailure: 0x01,
  notAllowedByRuleset: 0x02,
  networkUnreachable: 0x03,
  hostUnreachable: 0x04,
  connectionRefused: 0x05,
  ttlExpired: 0x06,
  commandNotSupported: 0x07,
  addressTypeNotSupported: 0x08,
} as const;

/** The server's choice of authentication method (`SOCKS5_METHOD`). */
export function formatSocks5MethodChoice(method: number): Buffer {
  return Buffer.from([5, method]);
}

/** The answer to username/password authentication: status 0 is success (RFC 1929 §2). */
export function formatSocks5AuthStatus(ok: boolean): Buffer {
  return Buffer.from([1, ok ? 0 : 1]);
}

/**
 * A reply to the request. BND.ADDR/BND.PORT are 0.0.0.0:0: the ingress's own socket towards the
 * service does not exist (the peer dials it), and CONNECT clients do not use them.
 */
export function formatSocks5Reply(code: number): Buffer {
  return Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
}

/** The reply code for one of our refusals (the same code answers with a status over HTTP). */
export function socks5ReplyForError(code: ErrorCode): number {
  switch (code) {
    case "TLSB_ERR_NO_ROUTE":
    case "TLSB_ERR_DESTINATION_DENIED":
    case "TLSB_ERR_DESTINATION_ADDRESS":
    case "TLSB_ERR_TOO_MANY_TUNNELS":
      return SOCKS5_REPLY.notAllowedByRuleset;
    case "TLSB_ERR_DNS":
    case "TLSB_ERR_DESTINATION_UNAVAILABLE":
      return SOCKS5_REPLY.hostUnreachable;
    case "TLSB_ERR_CONNECTION_REFUSED":
      return SOCKS5_REPLY.connectionRefused;
    case "TLSB_ERR_CONNECT_TIMEOUT":
      return SOCKS5_REPLY.ttlExpired;
    case "TLSB_ERR_METHOD_NOT_ALLOWED":
      return SOCKS5_REPLY.commandNotSupported;
    case "TLSB_ERR_BAD_TARGET":
      return SOCKS5_REPLY.addressTypeNotSupported;
    default:
      return SOCKS5_REPLY.generalFailure;
  }
}

/**
 * The reply code for a refusal the peer answered (its Proxy-Status error type, RFC 9209 §2.3):
 * about the service, since the peer is the hop that dials it.
 */
export function socks5ReplyForProxyStatus(errorType: string | undefined): number {
  switch (errorType) {
    case "http_request_denied":
    case "destination_ip_prohibited":
    case "connection_limit_reached":
      return SOCKS5_REPLY.notAllowedByRuleset;
    case "dns_error":
    case "destination_unavailable":
      return SOCKS5_REPLY.hostUnreachable;
    case "connection_refused":
      return SOCKS5_REPLY.connectionRefused;
    case "connection_timeout":
      return SOCKS5_REPLY.ttlExpired;
    default:
      return SOCKS5_REPLY.generalFailure;
  }
}
