// What the peer reads from an ingress's certificate (CN for the logs, SHA-256 fingerprint for the
// per-ingress caps, names for pinning), worked out once per certificate rather than per connection:
// getPeerCertificate() builds a large object on every call (~25 µs, 3% of the peer's CPU profile
// in the rate benchmark), while the X509 handle and its fingerprint cost ~3 µs.
import type tls from "node:tls";
import { certificateNames } from "./ingress-identity.ts";

/** The parts of an ingress's certificate the peer uses. */
export type IngressCertificate = {
  /** Subject CN as Node reports it (an array when the subject has several). */
  readonly cn: string | string[] | undefined;
  readonly fingerprint256: string | undefined;
  /** DNS and URI subject alternative names, then CN(s): what pinning and allow entries match (ingress-identity.ts). */
  readonly names: readonly string[];
};

/** Enough for every ingress of a deployment; past it the cache starts again (a cost, not a leak). */
const MAX_CERTIFICATES = 1024;

/**
 * Per-certificate cache keyed by the SHA-256 fingerprint of the whole DER certificate, so two
 * connections share an entry only when they present the same certificate bytes: pinning and the
 * per-ingress caps see exactly what a fresh parse would. Chain verification is OpenSSL's, per
 * connection, before this is asked.
 */
export class IngressCertificates {
  readonly #byFingerprint = new Map<string, IngressCertificate>();

  /** The certificate the ingress presented on `socket` (an empty identity when it presented none). */
  of(socket: tls.TLSSocket): IngressCertificate {
    const x509 = socket.getPeerX509Certificate();
    const fingerprint = x509?.fingerprint256;
    const known = fingerprint === undefined ? undefined : this.#byFingerprint.get(fingerprint);
    if (known !== undefined) return known;
    const certificate = socket.getPeerCertificate();
    const parsed: IngressCertificate = {
      cn: certificate.subject?.CN as string | string[] | undefined,
      fingerprint256: certificate.fingerprint256,
      names: certificateNames(certificate),
    };
    if (fingerprint !== undefined && parsed.fingerprint256 === fingerprint) {
      if (this.#byFingerprint.size >= MAX_CERTIFICATES) this.#byFingerprint.clear();
      this.#byFingerprint.set(fingerprint, parsed);
    }
    return parsed;
  }

  /** Number of certificates remembered (for tests). */
  get size(): number {
    return this.#byFingerprint.size;
  }
}
