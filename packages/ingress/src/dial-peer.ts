// One mTLS connection to a peer, directly or through its corporate proxy (`via:`): what the peer
// links, the warm pool, the HTTP/2 session and the readiness probe all dial with.
import tls from "node:tls";
import { dialTls } from "@tlsbridge/transport";
import type { TlsConnection } from "@tlsbridge/transport";
import { corporateProxyCarrier } from "./corporate-proxy-carrier.ts";
import type { PeerEndpoint } from "./ingress-options.ts";

/** How to dial: the client context, one deadline for everything, a session to resume, ALPN. */
export type DialPeerOptions = {
  readonly secureContext: tls.SecureContext;
  /** Covers the proxy's tunnel (when `via:`), TCP connect and TLS handshake together. */
  readonly timeoutMs: number;
  /** Largest response head accepted from a corporate proxy. */
  readonly maxHeadBytes: number;
  readonly session?: Buffer;
  readonly alpnProtocols?: readonly string[];
};

/**
 * Connects to `peer` and completes the mTLS handshake. Rejects with a DialError (the peer's hop) or,
 * through a proxy, with the proxy hop's TunnelError (corporate-proxy-carrier.ts).
 */
export function dialPeer(peer: PeerEndpoint, options: DialPeerOptions): Promise<TlsConnection> {
  return dialTls({
    host: peer.host,
    port: peer.port,
    servername: peer.servername,
    secureContext: options.secureContext,
    timeoutMs: options.timeoutMs,
    ...(options.session !== undefined ? { session: options.session } : {}),
    ...(options.alpnProtocols !== undefined ? { alpnProtocols: options.alpnProtocols } : {}),
    ...(peer.via !== undefined ? { carrier: corporateProxyCarrier(peer.via, peerAuthority(peer), options.maxHeadBytes) } : {}),
  });
}

/** `host:port`, IPv6 in brackets: what the proxy is asked to CONNECT to. */
function peerAuthority(peer: PeerEndpoint): string {
  return peer.host.includes(":") ? `[${peer.host}]:${peer.port}` : `${peer.host}:${peer.port}`;
}
