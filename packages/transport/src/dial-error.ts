// Why a dial failed, as a small closed set of reasons. The ingress and the peer each map a reason to
// their own row of the status table (a refused peer and a refused service are different rows).

/** Every way a dial can fail. */
export const DIAL_FAILURES = {
  dnsNotFound: "dns_not_found",
  dnsFailed: "dns_failed",
  refused: "refused",
  unreachable: "unreachable",
  timeout: "timeout",
  tlsCertificate: "tls_certificate",
  tlsProtocol: "tls_protocol",
  closed: "closed",
} as const;

/** One of DIAL_FAILURES. */
export type DialFailure = (typeof DIAL_FAILURES)[keyof typeof DIAL_FAILURES];

/** A failed dial: `reason` says what to answer, `cause` keeps the system error. */
export class DialError extends Error {
  readonly code = "TLSB_ERR_DIAL";
  readonly reason: DialFailure;
  /** DNS response code name for dns_* reasons (RFC 9209 `rcode`), e.g. NXDOMAIN. */
  readonly rcode: string | undefined;

  constructor(reason: DialFailure, message: string, options: { cause?: unknown; rcode?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = "DialError";
    this.reason = reason;
    this.rcode = options.rcode;
  }
}
