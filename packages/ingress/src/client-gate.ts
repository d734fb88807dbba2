// A listener's `clients:` allow-list, applied where a connection is accepted: a client outside every
// listed network is reset before any byte of it is read (no TLS handshake, no request parsed), so
// nothing it sends reaches a parser. Each refusal is counted; `client.refused` is logged at most once
// a minute per client address (a port scan from outside is not a line per port).
import type net from "node:net";
import type { Logger } from "pino";
import type { ClientNetworks } from "@tlsbridge/rules";
import { logEvent } from "@tlsbridge/transport";
import type { TunnelMetrics } from "@tlsbridge/transport";
import { PerAddressLogLimit } from "./per-address-log-limit.ts";
import type { PerAddressLogLimitOptions } from "./per-address-log-limit.ts";

/** What the gate of one listener needs; `clients` is read per connection, so a reload applies at once. */
export type ClientGateContext = {
  readonly site: string;
  readonly clients: () => ClientNetworks | undefined;
  readonly log: Logger;
  readonly metrics: TunnelMetrics;
  /** How often a refused address is logged (default: once a minute). */
  readonly logLimit?: PerAddressLogLimitOptions;
};

/** Wraps a listener's connection handler: admitted clients go on to `serve`, the rest are reset. */
export function gateClients(context: ClientGateContext, serve: (socket: net.Socket) => void): (socket: net.Socket) => void {
  const limit = new PerAddressLogLimit(context.logLimit);
  return (socket) => {
    const clients = context.clients();
    if (clients === undefined || clients.admits(socket.remoteAddress)) {
      serve(socket);
      return;
    }
    socket.on("error", () => {}); // the reset may race a client's own
    const admitted = limit.admit(socket.remoteAddress ?? "unknown");
    if (admitted !== undefined) {
      logEvent(context.log, "info", "client.refused", { client: `${socket.remoteAddress}:${socket.remotePort}`, site: context.site, ...admitted,
      }, "client not in the listener's clients list");
    }
    context.metrics.clientRefused(context.site);
    socket.resetAndDestroy();
  };
}
