// Leaf certificates signed by our CA: the peer's server certificate, the ingress's client
// certificate, and plain server certificates for test services. One profile per TLS role.
import { toIssuedCertificate } from "./issued-certificate.ts";
import type { IssuedCertificate } from "./issued-certificate.ts";
import { generateKeyPair, importSigningKey } from "./key-pair.ts";
import { checkSpiffeId } from "./spiffe-id.ts";
import { toGeneralNames } from "./subject-alt-names.ts";
import { resolveValidity } from "./validity.ts";
import type { ValidityOptions } from "./validity.ts";
import { SIGNING_ALGORITHM, x509 } from "./x509.ts";

/** Which side of a TLS handshake the certificate authenticates: sets the extended key usage. */
export type LeafUsage = "server" | "client";

/** Options for {@link issueLeafCert} and the role-specific wrappers. */
export interface LeafOptions extends ValidityOptions {
  /** Subject alternative names: DNS names and IP addresses (v4 or v6), in any mix. */
  names?: readonly string[];
  /** SPIFFE IDs (`spiffe://trust-domain/path`) added as URI SANs, e.g. the ingress's workload identity. */
  spiffeIds?: readonly string[];
  /** Subject CN. Default: the first name, else "tlsbridge leaf". Clients match SANs, not the CN. */
  commonName?: string;
  /** EKU serverAuth or clientAuth. Default "server". */
  usage?: LeafUsage;
}

/** Default leaf lifetime: one year. */
export const LEAF_VALIDITY_DAYS = 365;

const EXTENDED_USAGE = {
  server: x509.ExtendedKeyUsage.serverAuth,
  client: x509.ExtendedKeyUsage.clientAuth,
} as const;

/**
 * Issues a leaf certificate signed by `ca` (a PEM pair, e.g. from {@link issueCa} or read from
 * `ca.pem` / `ca-key.pem`): ECDSA P-256, SHA-256, basicConstraints CA:false (critical), keyUsage
 * digitalSignature (critical; TLS 1.3 ECDSA needs nothing else), EKU per `usage`, SANs from `names`
 * and `spiffeIds`,
 * subject and authority key identifiers.
 */
export async function issueLeafCert(ca: IssuedCertificate, options: LeafOptions = {}): Promise<IssuedCertificate> {
  const { notBefore, notAfter } = resolveValidity(options, LEAF_VALIDITY_DAYS);
  const generalNames: x509.JsonGeneralName[] = [
    ...toGeneralNames(options.names ?? []),
    ...(options.spiffeIds ?? []).map((id) => ({ type: "url" as const, value: checkSpiffeId(id) })),
  ];
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await importSigningKey(ca.key);
  const keys = await generateKeyPair();

  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([EXTENDED_USAGE[options.usage ?? "server"]]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await authorityKeyIdentifier(caCert),
  ];
  if (generalNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(generalNames));

  const cert = await x509.X509CertificateGenerator.create({
    subject: [{ CN: [options.commonName ?? generalNames[0]?.value ?? "tlsbridge leaf"] }],
    issuer: caCert.subjectName,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions,
  });
  return toIssuedCertificate(cert, keys);
}

/** Issues the peer's server certificate (EKU serverAuth) for the names the ingress dials it by. */
export async function issuePeerCert(ca: IssuedCertificate, options: Omit<LeafOptions, "usage"> = {}): Promise<IssuedCertificate> {
  return issueLeafCert(ca, { ...options, usage: "server" });
}

/** Issues the ingress's client certificate (EKU clientAuth), which the peer requires. */
export async function issueIngressCert(ca: IssuedCertificate, options: Omit<LeafOptions, "usage"> = {}): Promise<IssuedCertificate> {
  return issueLeafCert(ca, { ...options, usage: "client" });
}

// Copy the CA's own subject key identifier so chain builders match it exactly; compute it from the
// CA's public key only for a CA certificate made elsewhere without one.
async function authorityKeyIdentifier(caCert: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
}
