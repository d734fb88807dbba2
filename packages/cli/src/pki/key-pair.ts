// Key material for certificates: new P-256 key pairs, private keys out as PKCS#8 PEM (what
// `tls.createSecureContext` reads), and a CA's PEM key back in so it can sign more certificates.
import type { webcrypto as nodeWebcrypto } from "node:crypto";
import { KEY_ALGORITHM, webcrypto, x509 } from "./x509.ts";

/** Makes a new extractable ECDSA P-256 key pair. */
export async function generateKeyPair(): Promise<nodeWebcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
}

/** Exports a private key as a PKCS#8 PEM string (`-----BEGIN PRIVATE KEY-----`). */
export async function privateKeyToPem(key: nodeWebcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, x509.PemConverter.PrivateKeyTag);
}

/** Imports a PKCS#8 PEM P-256 private key for signing (a CA key read back from `ca-key.pem`). */
export async function importSigningKey(pem: string): Promise<nodeWebcrypto.CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey("pkcs8", der, KEY_ALGORITHM, false, ["sign"]);
}
