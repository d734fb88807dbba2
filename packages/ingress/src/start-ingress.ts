// Starts the ingress role: one TCP (or TLS) listener per site, all sharing the peers, the mTLS
// client context and the registry that graceful shutdown drains.
import net from "node:net";
import {
  ConnectionRegistry, createTlsListener, listen, listenerTlsSettings, logEvent, NO_METRICS, NO_STATUS,
  stopListening, TunnelLimiter, watchCloseNotify,
} from "@tlsbridge/transport";
import type { NodeContext } from "@tlsbridge/transport";
import { ClientHandshakeFailures } from "./client-handshake-failures.ts";
import { serveClient } from "./client-connection.ts";
import { gateClients } from "./client-gate.ts";
import { frontDoorFor } from "./front-doors.ts";
import type { IngressOptions } from "./ingress-options.ts";
import { LiveIngressSettings } from "./live-ingress-settings.ts";

/** A running ingress. */
export type RunningIngress = {
  /** Bound addresses, one per listener, in config order. */
  readonly listeners: ReadonlyArray<{ readonly site: string; readonly host: string; readonly port: number }>;
  /** Number of client connections being served (set-up or spliced). */
  readonly activeConnections: () => number;
  /**
   * Applies new settings to new tunnels (rules, peers, TLS material, proxy auth users, limits
   * including the tunnel caps); open tunnels are untouched. Same listeners only: throws if their
   * number differs.
   */
  readonly reload: (options: IngressOptions) => void;
  /** Replaces the session ticket keys of the HTTPS-proxy listeners (shared by the workers). */
  readonly setTicketKeys: (keys: Buffer) => void;
  /** Stops accepting, lets open tunnels finish for up to `graceMs`, then closes the rest. */
  readonly close: (graceMs?: number) => Promise<void>;
};

/** Starts every listener; rejects (with nothing left listening) when one cannot bind. */
export async function startIngress(options: IngressOptions, context: NodeContext): Promise<RunningIngress> {
  const log = context.log; // the program's logger already writes `role` (issue 15: written twice)
  const registry = new ConnectionRegistry();
  const limiter = new TunnelLimiter({
    maxTunnels: options.limits.maxTunnels,
    maxTunnelsPerKey: options.limits.maxTunnelsPerClient,
  });
  const metrics = context.metrics ?? NO_METRICS;
  const status = context.status ?? NO_STATUS;
  const live = new LiveIngressSettings(options, log, metrics);
  const servers: net.Server[] = [];
  const listeners: Array<{ site: string; host: string; port: number }> = [];
  try {
    for (const [index, listener] of options.listeners.entries()) {
      const shared = live.listenerContext(index, { registry, limiter, metrics, status, log: log.child({ site: listener.site }) });
      const handshakeFailures = new ClientHandshakeFailures(shared.log);
      const tlsServer = listener.tls === undefined
        ? undefined
        : createTlsListener(
          {
            tlsSettings: listenerTlsSettings(listener.tls.cert, listener.tls.key, options.keyExchangeGroups),
            requireClientCert: false,
            handshakeTimeoutMs: options.limits.headTimeoutMs,
            ...(context.ticketKeys !== undefined ? { ticketKeys: context.ticketKeys } : {}),
          },
          (socket, raw) => {
            // A client's FIN without close_notify is a cut, not an end: the service is reset (issue 9).
            watchCloseNotify(socket, raw);
            void serveClient(socket, raw, frontDoorFor(shared, socket), shared);
          },
          (err, remote) => handshakeFailures.report(err, remote),
        );
      // One TCP server per listener checks `clients:` at accept; an admitted client of an HTTPS-proxy
      // listener is then handed to the TLS server (which never listens itself) for its handshake.
      const gate = gateClients({ site: listener.site, clients: () => live.clients(index), log: shared.log, metrics }, (socket) => {
        if (tlsServer === undefined) void serveClient(socket, socket, frontDoorFor(shared, socket), shared);
        else tlsServer.emit("connection", socket);
      });
      const server = net.createServer({ allowHalfOpen: true, noDelay: true }, gate);
      servers.push(server);
      if (tlsServer !== undefined) live.addTlsServer(index, tlsServer);
      const address = await listen(server, listener.host, listener.port, { reusePort: context.reusePort === true });
      listeners.push({ site: listener.site, host: address.address, port: address.port });
      logEvent(log, "info", "listening", { site: listener.site, address: `${address.address}:${address.port}`,
        tls: listener.tls !== undefined, protocol: shared.protocol,
      }, "listening");
    }
  } catch (err) {
    for (const server of servers) stopListening(server);
    live.close();
    throw err;
  }
  live.start();
  return {
    listeners,
    activeConnections: () => registry.size,
    reload: (next) => {
      live.reload(next);
      // Open tunnels keep their slots; a lowered cap refuses new ones until enough have closed.
      limiter.update({ maxTunnels: next.limits.maxTunnels, maxTunnelsPerKey: next.limits.maxTunnelsPerClient });
    },
    setTicketKeys: (keys) => live.setTicketKeys(keys),
    close: async (graceMs = 0) => {
      for (const server of servers) stopListening(server);
      live.close();
      await registry.drain(graceMs);
    },
  };
}
