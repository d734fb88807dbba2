// The PEM bytes a node's TLS needs, and the defaults every node-to-node connection shares:
// TLS 1.3 only, and the hybrid post-quantum key exchange first (Node 24 ships OpenSSL 3.5).

/** PEM-encoded trust anchors, certificate chain and private key of one node. */
export type TlsMaterial = {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
};

/**
 * Key exchange groups between the nodes, most preferred first: ML-KEM hybrid, then classic X25519.
 * `*` (OpenSSL 3.5) sends a key share for both in the first ClientHello: without it only the first
 * goes, and a peer that lacks ML-KEM (ATS or squid on OpenSSL 3.0) answers with a HelloRetryRequest,
 * one more round trip per handshake (issue 13). Our own peer still picks the hybrid.
 */
export const DEFAULT_KEY_EXCHANGE_GROUPS = "*X25519MLKEM768:*X25519";
