// What every issuing function hands back: the certificate and its private key as PEM text, ready
// for `tls.createSecureContext` or for a file that a node's config names.
import type { webcrypto as nodeWebcrypto } from "node:crypto";
import type { x509 } from "./x509.ts";
import { privateKeyToPem } from "./key-pair.ts";

/** A certificate and its key, both PEM. `key` is PKCS#8 (`-----BEGIN PRIVATE KEY-----`). */
export interface IssuedCertificate {
  readonly cert: string;
  readonly key: string;
}

/** Packs a freshly signed certificate and its key pair into PEM strings. */
export async function toIssuedCertificate(cert: x509.X509Certificate, keys: nodeWebcrypto.CryptoKeyPair): Promise<IssuedCertificate> {
  return { cert: cert.toString("pem"), key: await privateKeyToPem(keys.privateKey) };
}
