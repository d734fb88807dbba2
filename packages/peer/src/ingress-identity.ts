// Ingress identity pinning (opt-in, peer.yaml `ingresses:`): a client certificate from the right CA
// is not enough when the CA also signs other machines; its DNS names, URIs (SPIFFE IDs) or CN must
// match one of the anchored patterns. Checked once per connection, before either mode (h1 or h2)
// serves it. The same names are what an allow entry's `ingresses:` matches, per CONNECT.
import type tls from "node:tls";
import type { HostPattern } from "@tlsbridge/rules";

// `subjectaltname` is `DNS:a, URI:spiffe://td/p, IP Address:...`; Node quotes (JSON) a value holding `,` or `"`.
const DNS_NAME_OR_URI = /(?:^|, )(?:DNS|URI):("(?:[^"\\]|\\.)*"|[^,]*)/g;

/** The certificate's DNS and URI subject alternative names, then its CN(s), as written in the certificate. */
export function certificateNames(certificate: tls.PeerCertificate): string[] {
  const names: string[] = [];
  for (const m of (certificate.subjectaltname ?? "").matchAll(DNS_NAME_OR_URI)) {
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
