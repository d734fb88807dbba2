// The one answer an SNI listener can give a client whose TLS it does not terminate: a plaintext
// fatal alert record (RFC 8446 §6), sent before any ServerHello, naming the closest reason.
import type { ErrorCode } from "./status-table.ts";

/** Alert descriptions we send (RFC 8446 §6.2; unrecognized_name RFC 6066 §3). */
export const TLS_ALERT = {
  handshakeFailure: 40,
  decodeError: 50,
  accessDenied: 49,
  internalError: 80,
  missingExtension: 109,
  unrecognizedName: 112,
} as const;

/** A fatal alert record: content type 21, legacy version 3.3, length 2, level 2 (fatal), description. */
export function formatTlsAlert(description: number): Buffer {
  return Buffer.from([21, 3, 3, 0, 2, 2, description]);
}

/** The alert for one of our refusals (the same code answers with a status over HTTP). */
export function tlsAlertForError(code: ErrorCode): number {
  switch (code) {
    case "TLSB_ERR_NO_SNI":
      // RFC 8446 §9.2: a server that requires SNI answers a hello without it with missing_extension.
      return TLS_ALERT.missingExtension;
    case "TLSB_ERR_NO_ROUTE":
    case "TLSB_ERR_BAD_TARGET":
      return TLS_ALERT.unrecognizedName;
    case "TLSB_ERR_DESTINATION_DENIED":
    case "TLSB_ERR_DESTINATION_ADDRESS":
      return TLS_ALERT.accessDenied;
    case "TLSB_ERR_BAD_HELLO":
    case "TLSB_ERR_HEAD_TOO_LARGE":
      return TLS_ALERT.decodeError;
    case "TLSB_ERR_INTERNAL":
      return TLS_ALERT.internalError;
    default:
      return TLS_ALERT.handshakeFailure;
  }
}

/** The alert for a refusal the peer answered, by its Proxy-Status error type (RFC 9209 §2.3). */
export function tlsAlertForProxyStatus(errorType: string | undefined): number {
  return errorType === "destination_ip_prohibited" || errorType === "http_request_denied"
    ? TLS_ALERT.accessDenied
    : TLS_ALERT.handshakeFailure;
}
