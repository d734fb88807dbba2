// Tells certificate failures from other TLS failures by the stable error codes Node and OpenSSL
// give, so a wrong CA or name is reported as tls_certificate_error and everything else as protocol.

const CERTIFICATE_CODES = new Set([
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_PURPOSE",
  "INVALID_CA",
  "HOSTNAME_MISMATCH",
]);

/** True when a TLS error is about a certificate (ours rejected by the other side, or theirs by us). */
export function isCertificateFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  if (CERTIFICATE_CODES.has(code)) return true;
  // Alerts the other side sent about our certificate, e.g. ERR_SSL_TLSV1_ALERT_UNKNOWN_CA,
  // ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE, ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED.
  return /^ERR_SSL_.*ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)/.test(code);
}
