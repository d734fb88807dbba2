// Starts the peer role: one mTLS listener whose connections come from ingresses, and the registry
// that graceful shutdown drains.
import type { Logger } from "pino";
import {
  ConnectionRegistry, createTlsListener, listen, LOG_EVENTS, nodeTlsSettings, stopListening, TunnelLimiter,
} from "@tlsbridge/transport";
import { serveIngress } from "./ingress-connection.ts";
import type { PeerOptions } from "./peer-options.ts";

/** A running peer. */
export type RunningPeer = {
  readonly host: string;
  readonly port: number;
  /** Number of ingress connections being served (handshaking, set-up or spliced). */
  readonly activeConnections: () => number;
  /** Stops accepting, lets open tunnels finish for up to `graceMs`, then closes the rest. */
  readonly close: (graceMs?: number) => Promise<void>;
};

/** Binds the listener and serves; rejects when it cannot bind. */
export async function startPeer(options: PeerOptions, context: { log: Logger }): Promise<RunningPeer> {
  const log = context.log.child({ role: "peer" });
  const registry = new ConnectionRegistry();
  const limiter = new TunnelLimiter({
    maxTunnels: options.limits.maxTunnels,
    maxTunnelsPerKey: options.limits.maxTunnelsPerIngress,
  });
  const shared = { nodeName: options.nodeName, allow: options.allow, limits: options.limits, registry, limiter, log };
  const server = createTlsListener(
    {
      tlsSettings: nodeTlsSettings(options.tls, options.keyExchangeGroups),
      requireClientCert: true,
      handshakeTimeoutMs: options.limits.tlsHandshakeTimeoutMs,
    },
    (socket, raw) => void serveIngress(socket, raw, shared),
    (err, remote) => log.warn({ event: LOG_EVENTS.authDenied, remote, reason: err.reason, err }, "ingress refused at the TLS handshake"),
  );
  const address = await listen(server, options.host, options.port);
  log.info({ event: LOG_EVENTS.listening, address: `${address.address}:${address.port}`, tls: true }, "listening");
  return {
    host: address.address,
    port: address.port,
    activeConnections: () => registry.size,
    close: async (graceMs = 0) => {
      stopListening(server);
      await registry.drain(graceMs);
    },
  };
}
