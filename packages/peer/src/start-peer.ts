// Starts the peer role: one mTLS listener whose connections come from ingresses, and the registry
// that graceful shutdown drains.
import type tls from "node:tls";
import {
  ConnectionRegistry, createTlsListener, isMultiplexedAlpn, listen, logEvent, NO_METRICS, NO_STATUS, nodeTlsSettings, stopListening, TunnelLimiter, watchCloseNotify,
} from "@tlsbridge/transport";
import type { HostResolver, NodeContext } from "@tlsbridge/transport";
import { createH2Acceptor, PEER_ALPN_PROTOCOLS } from "./h2-ingress-session.ts";
import { serveIngress } from "./ingress-connection.ts";
import type { PeerContext } from "./peer-context.ts";
import { IngressCertificates } from "./ingress-certificate.ts";
import { createIngressRefusal } from "./ingress-refusal.ts";
import { nameIsPinned } from "./ingress-identity.ts";
import type { PeerOptions } from "./peer-options.ts";
import { createServiceResolver } from "./service-resolver.ts";
import type { PeerDnsOptions } from "./service-resolver.ts";

/** The resolver for `dns` (undefined: the system's), kept across reloads while the servers stay the same. */
function serviceResolverFor(dns: PeerDnsOptions | undefined, previous?: { dns: PeerDnsOptions | undefined; resolve: HostResolver | undefined }) {
  const same = previous !== undefined && previous.dns?.servers.join(" ") === dns?.servers.join(" ");
  if (same) return previous;
  return { dns, resolve: dns === undefined ? undefined : createServiceResolver(dns) };
}

/** A running peer. */
export type RunningPeer = {
  readonly host: string;
  readonly port: number;
  /** Number of ingress connections being served (handshaking, set-up or spliced). */
  readonly activeConnections: () => number;
  /**
   * Applies new settings to new tunnels: allow list, pinned ingress names, limits (the tunnel caps
   * too), and the TLS context (certificate, key, CA bundle) of the listener. Open tunnels are untouched; the listen
   * address stays (the runtime warns that it needs a restart).
   */
  readonly reload: (options: PeerOptions) => void;
  /** Replaces the listener's TLS session ticket keys (48 bytes): the supervisor's rotation. */
  readonly setTicketKeys: (keys: Buffer) => void;
  /** Stops accepting, lets open tunnels finish for up to `graceMs`, then closes the rest. */
  readonly close: (graceMs?: number) => Promise<void>;
};

/** Binds the listener and serves; rejects when it cannot bind. */
export async function startPeer(options: PeerOptions, context: NodeContext): Promise<RunningPeer> {
  const log = context.log; // the program's logger already writes `role` (issue 15: written twice)
  const registry = new ConnectionRegistry();
  const limiter = new TunnelLimiter({
    maxTunnels: options.limits.maxTunnels,
    maxTunnelsPerKey: options.limits.maxTunnelsPerIngress,
  });
  // Read per connection, so a reload swaps them for new tunnels in one assignment.
  let current = options;
  let resolver = serviceResolverFor(options.dns);
  const shared: PeerContext = {
    get nodeName() { return current.nodeName; },
    get allow() { return current.allow; },
    get limits() { return current.limits; },
    registry,
    limiter,
    metrics: context.metrics ?? NO_METRICS,
    status: context.status ?? NO_STATUS,
    log,
    certificates: new IngressCertificates(),
    get resolveService() { return resolver.resolve; },
  };
  // One listener for both modes: ALPN `tlsbridge/1` or `h2` gets the multiplexed path, anything else
  // (no ALPN, as from ATS, or `http/1.1`) the one-connection-per-tunnel path.
  const h2 = createH2Acceptor(shared);
  // A refused ingress is told why in HTTP before the connection closes (ingress-refusal.ts).
  const refusal = createIngressRefusal(() => current.nodeName);
  const server = createTlsListener(
    {
      tlsSettings: nodeTlsSettings(options.tls, options.keyExchangeGroups),
      requireClientCert: true,
      handshakeTimeoutMs: options.limits.tlsHandshakeTimeoutMs,
      alpnProtocols: PEER_ALPN_PROTOCOLS,
      ...(context.ticketKeys !== undefined ? { ticketKeys: context.ticketKeys } : {}),
    },
    (socket, raw) => {
      // Read once here for pinning and for whichever mode serves the connection.
      const certificate = shared.certificates.of(socket);
      const pinned = current.ingresses;
      if (pinned !== undefined) {
        const names = [...certificate.names];
        if (!nameIsPinned(pinned, names)) {
          // Like a certificate from another CA: closed right after the handshake, said in our log.
          logEvent(log, "warn", "auth.denied", { remote: `${raw.remoteAddress}:${raw.remotePort}`, reason: "name", names,
            fingerprint256: certificate.fingerprint256,
          }, "ingress certificate names none of the pinned ingresses");
          refusal.refuse(socket, raw, "its names match none of the peer's pinned ingresses");
          return;
        }
      }
      // The ingress's FIN without close_notify is a lost link, not an end (issue 9).
      watchCloseNotify(socket, raw);
      if (isMultiplexedAlpn(socket.alpnProtocol)) h2.accept(socket, raw, certificate);
      else void serveIngress(socket, raw, certificate, shared);
    },
    (err, remote) => logEvent(log, "warn", "auth.denied", { remote, reason: err.reason, err }, "ingress refused at the TLS handshake"),
    (socket, raw) => refusal.refuse(socket, raw, refusalReason(socket)),
  );
  const address = await listen(server, options.host, options.port, { reusePort: context.reusePort === true });
  logEvent(log, "info", "listening", { address: `${address.address}:${address.port}`, tls: true }, "listening");
  return {
    host: address.address,
    port: address.port,
    activeConnections: () => registry.size,
    reload: (next) => {
      // Node carries the ticket keys over to the new context: tickets issued before still resume.
      server.setSecureContext(nodeTlsSettings(next.tls, next.keyExchangeGroups));
      current = next;
      resolver = serviceResolverFor(next.dns, resolver);
      limiter.update({ maxTunnels: next.limits.maxTunnels, maxTunnelsPerKey: next.limits.maxTunnelsPerIngress });
    },
    setTicketKeys: (keys) => server.setTicketKeys(keys),
    close: async (graceMs = 0) => {
      stopListening(server);
      h2.close();
      refusal.close();
      await registry.drain(graceMs);
    },
  };
}

/** What OpenSSL said about a refused client certificate (e.g. CERT_HAS_EXPIRED), for the ingress. */
function refusalReason(socket: tls.TLSSocket): string {
  const error = socket.authorizationError as unknown;
  if (error === null || error === undefined) return "no client certificate";
  return typeof error === "string" ? error : ((error as { code?: string }).code ?? String(error));
}
