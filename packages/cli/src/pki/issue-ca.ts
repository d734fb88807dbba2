// The private CA that both nodes trust: it signs the peer's server certificate and the ingress's
// client certificate, so mTLS between the two needs nothing from a public CA.
import { toIssuedCertificate } from "./issued-certificate.ts";
import type { IssuedCertificate } from "./issued-certificate.ts";
import { generateKeyPair } from "./key-pair.ts";
import { resolveValidity } from "./validity.ts";
import type { ValidityOptions } from "./validity.ts";
import { SIGNING_ALGORITHM, x509 } from "./x509.ts";

/** Options for {@link issueCa}. */
export interface CaOptions extends ValidityOptions {
  /** Subject CN. Default "tlsbridge private CA". */
  commonName?: string;
}

/** Default CA lifetime: ten years; the CA is long-lived, the leaves it signs are not. */
export const CA_VALIDITY_DAYS = 3650;

/**
 * Issues a self-signed CA: ECDSA P-256, SHA-256, basicConstraints CA:true (critical; pathLen 0,
 * since it signs leaves only), keyUsage keyCertSign + cRLSign (critical), subjectKeyIdentifier.
 */
export async function issueCa(options: CaOptions = {}): Promise<IssuedCertificate> {
  const { notBefore, notAfter } = resolveValidity(options, CA_VALIDITY_DAYS);
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [options.commonName ?? "tlsbridge private CA"] }],
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return toIssuedCertificate(cert, keys);
}
