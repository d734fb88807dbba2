// One place that turns a node's PEM material into OpenSSL settings with our fixed policy: TLS 1.3
// only between the nodes, and the configured key exchange groups (hybrid ML-KEM first).
import tls from "node:tls";
import type { TlsMaterial } from "./tls-material.ts";

/** Settings for either end of a node-to-node connection (TLS 1.3 only). */
export function nodeTlsSettings(material: TlsMaterial, keyExchangeGroups: string): tls.SecureContextOptions {
  return {
    ca: material.ca,
    cert: material.cert,
    key: material.key,
    minVersion: "TLSv1.3",
    maxVersion: "TLSv1.3",
    ecdhCurve: keyExchangeGroups,
  };
}

/** A context for the dialing end of a node-to-node connection. */
export function createNodeSecureContext(material: TlsMaterial, keyExchangeGroups: string): tls.SecureContext {
  return tls.createSecureContext(nodeTlsSettings(material, keyExchangeGroups));
}

/** Settings for a client-facing TLS listener (the HTTPS proxy): TLS 1.2 and 1.3, no client certificates. */
export function listenerTlsSettings(cert: Buffer, key: Buffer, keyExchangeGroups: string): tls.SecureContextOptions {
  return { cert, key, minVersion: "TLSv1.2", ecdhCurve: keyExchangeGroups };
}
