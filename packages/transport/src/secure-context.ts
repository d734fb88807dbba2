// One place that turns a node's PEM material into an OpenSSL context with our fixed policy:
// TLS 1.3 only between the nodes, and the configured key exchange groups (hybrid ML-KEM first).
import tls from "node:tls";
import type { TlsMaterial } from "./tls-material.ts";

/** A secure context for either end of a node-to-node connection (TLS 1.3 only). */
export function createNodeSecureContext(material: TlsMaterial, keyExchangeGroups: string): tls.SecureContext {
  return tls.createSecureContext({
    ca: material.ca,
    cert: material.cert,
    key: material.key,
    minVersion: "TLSv1.3",
    maxVersion: "TLSv1.3",
    ecdhCurve: keyExchangeGroups,
  });
}

/** A secure context for a client-facing TLS listener (the HTTPS proxy): TLS 1.2 and 1.3, no client certs. */
export function createListenerSecureContext(cert: Buffer, key: Buffer, keyExchangeGroups: string): tls.SecureContext {
  return tls.createSecureContext({ cert, key, minVersion: "TLSv1.2", ecdhCurve: keyExchangeGroups });
}
