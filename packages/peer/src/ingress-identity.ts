// Ingress identity pinning (opt-in, peer.yaml `ingresses:`): a client certificate from the right CA
// is not enough when the CA also signs other machines; its DNS names or CN must match one of the
// anchored patterns. Checked once per connection, before either mode (h1 or h2) serves it.
import type tls from "node:tls";
import type { HostPattern } from "@tlsbridge/rules";

// `subjectaltname` is `DNS:a, DNS:b, IP Address:...`; Node quotes (JSON) a value holding `,` or `"`.
const DNS_NAME = /(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g;

/** The certificate's DNS subject alternative names, then its CN(s), as written in the certificate. */
export function certificateNames(certificate: tls.PeerCertificate): string[] {
  const names: string[] = [];
  for (const m of (certificate.subjectaltname ?? "").matchAll(DNS_NAME)) {
    const raw = m[1] ?? "";
    try {
      names.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
    } catch {
      // A malformed quoted name matches nothing.
    }
  }
  const cn = certificate.subject?.CN as string | string[] | undefined;
  for (const name of Array.isArray(cn) ? cn : cn === undefined ? [] : [cn]) names.push(name);
  return names;
}

/** Whether one of `names` matches one of `patterns` (each anchored, case-insensitive). */
export function nameIsPinned(patterns: readonly HostPattern[], names: readonly string[]): boolean {
  return names.some((name) => patterns.some((pattern) => pattern.matches(name)));
}
