// Callers list names as plain strings ("localhost", "127.0.0.1", "::1"); a certificate needs each
// one typed as a DNS name or an IP address, because TLS clients match IPs only against IP entries.
import { isIP } from "node:net";
import type { x509 } from "./x509.ts";
import { PKI_ERROR_CODES, PkiError } from "./pki-error.ts";

// Letters, digits, hyphens and underscores in dot-separated labels; a leading "*." for wildcards.
// Underscores appear in docker service names, which the peer is often reached by.
const DNS_NAME = /^(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/**
 * Types each name as an IP address or a DNS name, dropping duplicates and keeping order.
 * Throws PkiError TLSB_ERR_PKI_BAD_NAME for anything else (empty, spaces, a URL, a port).
 */
export function toGeneralNames(names: readonly string[]): x509.JsonGeneralName[] {
  const seen = new Set<string>();
  const out: x509.JsonGeneralName[] = [];
  for (const raw of names) {
    const name = raw.trim().replace(/^\[(.*)\]$/, "$1");
    const ipVersion = isIP(name);
    let entry: x509.JsonGeneralName;
    if (ipVersion === 4 || (ipVersion === 6 && !name.includes("."))) {
      entry = { type: "ip", value: name.toLowerCase() };
    } else if (ipVersion === 0 && name.length <= 253 && DNS_NAME.test(name)) {
      entry = { type: "dns", value: name.toLowerCase().replace(/\.$/, "") };
    } else {
      // IPv6 with an embedded IPv4 tail ("::ffff:1.2.3.4") is refused rather than mis-encoded:
      // @peculiar/x509's IP converter reads only hex groups.
      throw new PkiError(PKI_ERROR_CODES.badName, `not a DNS name or IP address: ${JSON.stringify(raw)}`);
    }
    const key = `${entry.type}:${entry.value}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(entry);
    }
  }
  return out;
}
