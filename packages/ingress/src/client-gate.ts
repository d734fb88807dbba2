// A listener's `clients:` allow-list, applied where a connection is accepted: a client outside every
// listed network is reset before any byte of it is read (no TLS handshake, no request parsed), so
// nothing it sends reaches a parser. Each refusal is logged (`client.refused`) and counted.
import type net from "node:net";
import type { Logger } from "pino";
import type { ClientNetworks } from "@tlsbridge/rules";
import { logEvent } from "@tlsbridge/transport";
import type { TunnelMetrics } from "@tlsbridge/transport";

/** What the gate of one listener needs; `clients` is read per connection, so a reload applies at once. */
export type ClientGateContext = {
  readonly site: string;
  readonly clients: () => ClientNetworks | undefined;
  readonly log: Logger;
  readonly metrics: TunnelMetrics;
};

/** Wraps a listener's connection handler: admitted clients go on to `serve`, the rest are reset. */
export function gateClients(context: ClientGateContext, serve: (socket: net.Socket) => void): (socket: net.Socket) => void {
  return (socket) => {
    const clients = context.clients();
    if (clients === undefined || clients.admits(socket.remoteAddress)) {
      serve(socket);
      return;
    }
    socket.on("error", () => {}); // the reset may race a client's own
    logEvent(context.log, "info", "client.refused", { client: `${socket.remoteAddress}:${socket.remotePort}`, site: context.site,
    }, "client not in the listener's clients list");
    context.metrics.clientRefused(context.site);
    socket.resetAndDestroy();
  };
}
