// Starts the ingress role: one TCP (or TLS) listener per site, all sharing the peers, the mTLS
// client context and the registry that graceful shutdown drains.
import net from "node:net";
import type { Logger } from "pino";
import {
  ConnectionRegistry, createNodeSecureContext, createTlsListener, listen, listenerTlsSettings, LOG_EVENTS,
  stopListening, TunnelLimiter,
} from "@tlsbridge/transport";
import { serveClient } from "./client-connection.ts";
import type { IngressOptions } from "./ingress-options.ts";

/** A running ingress. */
export type RunningIngress = {
  /** Bound addresses, one per listener, in config order. */
  readonly listeners: ReadonlyArray<{ readonly site: string; readonly host: string; readonly port: number }>;
  /** Number of client connections being served (set-up or spliced). */
  readonly activeConnections: () => number;
  /** Stops accepting, lets open tunnels finish for up to `graceMs`, then closes the rest. */
  readonly close: (graceMs?: number) => Promise<void>;
};

/** Starts every listener; rejects (with nothing left listening) when one cannot bind. */
export async function startIngress(options: IngressOptions, context: { log: Logger }): Promise<RunningIngress> {
  const log = context.log.child({ role: "ingress" });
  const registry = new ConnectionRegistry();
  const limiter = new TunnelLimiter({
    maxTunnels: options.limits.maxTunnels,
    maxTunnelsPerKey: options.limits.maxTunnelsPerClient,
  });
  const peerContext = createNodeSecureContext(options.tls, options.keyExchangeGroups);
  const servers: net.Server[] = [];
  const listeners: Array<{ site: string; host: string; port: number }> = [];
  try {
    for (const listener of options.listeners) {
      const shared = {
        nodeName: options.nodeName,
        site: listener.site,
        rules: listener.rules,
        peers: options.peers,
        peerContext,
        limits: options.limits,
        registry,
        limiter,
        log: log.child({ site: listener.site }),
      };
      const server = listener.tls === undefined
        ? net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => void serveClient(socket, socket, shared))
        : createTlsListener(
          {
            tlsSettings: listenerTlsSettings(listener.tls.cert, listener.tls.key, options.keyExchangeGroups),
            requireClientCert: false,
            handshakeTimeoutMs: options.limits.headTimeoutMs,
          },
          (socket, raw) => void serveClient(socket, raw, shared),
          (err, remote) => shared.log.debug({ event: LOG_EVENTS.requestRejected, remote, reason: err.message }, "client TLS handshake failed"),
        );
      servers.push(server);
      const address = await listen(server, listener.host, listener.port);
      listeners.push({ site: listener.site, host: address.address, port: address.port });
      log.info({
        event: LOG_EVENTS.listening, site: listener.site, address: `${address.address}:${address.port}`,
        tls: listener.tls !== undefined,
      }, "listening");
    }
  } catch (err) {
    for (const server of servers) stopListening(server);
    throw err;
  }
  return {
    listeners,
    activeConnections: () => registry.size,
    close: async (graceMs = 0) => {
      for (const server of servers) stopListening(server);
      await registry.drain(graceMs);
    },
  };
}
