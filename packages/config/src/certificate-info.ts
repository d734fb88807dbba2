// What operators need to know about a loaded certificate (who, signed by whom, which one exactly,
// until when), for the `cert.loaded` log line and `tlsbridge check`. Never anything about keys.
import type { X509Certificate } from "node:crypto";

/** A certificate as logged and printed. */
export type CertificateInfo = {
  /** Displayed path of the PEM file it came from. */
  readonly file: string;
  /** `ca` (trust anchor) or `cert` (this node's own or a listener's certificate). */
  readonly role: "ca" | "cert";
  readonly subject: string;
  readonly issuer: string;
  readonly fingerprint256: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** Whole days until notAfter; negative once expired. */
  readonly daysLeft: number;
};

const DAY_MS = 86_400_000;

/** Describes one parsed certificate. */
export function describeCertificate(
  cert: X509Certificate,
  file: string,
  role: CertificateInfo["role"],
  now: Date = new Date(),
): CertificateInfo {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  return {
    file,
    role,
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    fingerprint256: cert.fingerprint256,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS),
  };
}

/** A warning when the certificate is expired, not yet valid, or has fewer than `warnDays` left. */
export function certificateWarning(info: CertificateInfo, warnDays: number, now: Date = new Date()): string | undefined {
  if (info.daysLeft < 0) return `${info.file}: certificate '${info.subject}' expired on ${info.notAfter}`;
  if (new Date(info.notBefore).getTime() > now.getTime()) {
    return `${info.file}: certificate '${info.subject}' is not valid before ${info.notBefore}`;
  }
  if (info.daysLeft < warnDays) {
    return `${info.file}: certificate '${info.subject}' expires in ${info.daysLeft} days (${info.notAfter})`;
  }
  return undefined;
}

function oneLine(name: string): string {
  return name.split("\n").filter((part) => part !== "").join(", ");
}
