// One client connection at the ingress, start to end, whatever front door it came through:
//
//   accept ─▶ (TLS, HTTPS-proxy listeners) ─▶ front door reads the request ─▶ shared tunnel path
//     (tunnel-opener.ts) ─▶ splice ─▶ tunnel.close │ any refusal: logged, answered by the door
import { randomUUID } from "node:crypto";
import type net from "node:net";
import type { Logger } from "pino";
import { LOG_EVENTS, ReadUntilError, splice } from "@tlsbridge/transport";
import { isTunnelError, TunnelError } from "@tlsbridge/wire";
import type { FrontDoor } from "./front-door.ts";
import { roundMs } from "./round-ms.ts";
import { openTunnel } from "./tunnel-opener.ts";
import type { ClientState, ListenerContext } from "./tunnel-opener.ts";

const IGNORE = (): void => {};

/**
 * Serves one accepted client connection (`client` is TLS on an HTTPS-proxy listener, with `raw` the
 * TCP socket under it; on a plain listener both are the same socket). Never throws: every failure
 * is answered and logged.
 */
export async function serveClient(client: net.Socket, raw: net.Socket, door: FrontDoor, context: ListenerContext): Promise<void> {
  const started = performance.now();
  // Bindings, not child loggers, until the tunnel is open: an idle tunnel then holds one child (the
  // one its tunnel.close goes through) instead of a chain of three (memory per idle tunnel).
  const state: ClientState = {
    bindings: { tunnel: randomUUID(), client: `${raw.remoteAddress}:${raw.remotePort}`, protocol: context.protocol },
    upstream: undefined,
    aborted: false,
    releaseSlot: IGNORE,
  };
  const unregister = context.registry.add({
    abort: () => {
      state.aborted = true;
      // Cut with a reset, not a FIN: a close-delimited protocol would take a FIN for a whole transfer.
      raw.resetAndDestroy();
      state.upstream?.raw.resetAndDestroy();
    },
  });
  client.on("error", IGNORE); // routine resets before the splice owns the socket
  try {
    // The request head, early data, the peer's response and the routing decision live only in
    // openTunnel()'s frame, not for the tunnel's whole life (memory per idle tunnel).
    const routed = await openTunnel(client, raw, door, context, state, started);
    const upstream = state.upstream;
    if (routed === undefined || upstream === undefined) return;
    const tunnel = splice({ socket: client, raw }, upstream, {
      idleTimeoutMs: context.limits.idleTimeoutMs,
      maxLifetimeMs: context.limits.maxTunnelLifetimeMs,
    });
    const result = await tunnel.done;
    const outcome = state.aborted ? "aborted" : result.outcome;
    routed.info({
      event: LOG_EVENTS.tunnelClose,
      bytesUp: result.bytesUp,
      bytesDown: result.bytesDown,
      durationMs: roundMs(performance.now() - started),
      outcome,
      ...(result.error !== undefined ? { err: result.error } : {}),
    }, "tunnel closed");
    context.metrics.tunnelClosed({ outcome, bytesUp: result.bytesUp, bytesDown: result.bytesDown });
    if (state.opened !== undefined) context.status.tunnelClosed(state.opened);
  } catch (err) {
    state.upstream?.socket.destroy();
    refuse(client, door, err, context, context.log.child(state.bindings), state);
  } finally {
    state.releaseSlot();
    unregister();
  }
}

function refuse(client: net.Socket, door: FrontDoor, err: unknown, context: ListenerContext, log: Logger, state: ClientState): void {
  if (err instanceof ReadUntilError) {
    // The client left before a request: nobody to answer.
    log.debug({ event: LOG_EVENTS.requestRejected, reason: err.message }, "client left before a request");
    client.destroy();
    return;
  }
  if (!isTunnelError(err)) {
    log.error({ event: LOG_EVENTS.internalError, err }, "unexpected failure");
    err = new TunnelError("TLSB_ERR_INTERNAL", "internal error", { cause: err });
  }
  const refusal = err as TunnelError;
  // A peer certificate we refused (or a peer refusing ours) is an auth event, like the peer's own.
  const event = refusal.code === "TLSB_ERR_PEER_CERT" ? LOG_EVENTS.authDenied
    : refusal.code === "TLSB_ERR_TOO_MANY_TUNNELS" ? LOG_EVENTS.tunnelLimited
    : refusal.nextHop !== undefined ? LOG_EVENTS.viaProxyFailed
    : refusal.code.startsWith("TLSB_ERR_PEER") || refusal.code === "TLSB_ERR_CONNECT_TIMEOUT" ? LOG_EVENTS.peerDialFailed
    : LOG_EVENTS.requestRejected;
  if (refusal.code === "TLSB_ERR_PROXY_AUTH" || refusal.code === "TLSB_ERR_AUTH_BUSY") {
    // Already logged as auth.denied by authenticate(), with the user name.
  } else if (event === LOG_EVENTS.authDenied) {
    // Same fields as the peer's auth.denied: `reason` is the kind, `err` says exactly what failed.
    log.warn({ event, code: refusal.code, status: refusal.status, reason: "certificate", err: refusal.cause ?? refusal }, refusal.message);
  } else if (refusal.nextHop !== undefined) {
    // The corporate proxy's hop failed, not the peer's (corporate-proxy-carrier.ts).
    log.warn({ event, hop: "corporate-proxy", proxy: refusal.nextHop, code: refusal.code, status: refusal.status, receivedStatus: refusal.receivedStatus, reason: refusal.message }, "corporate proxy failed");
    context.metrics.corporateProxyFailed(refusal.nextHop, refusal.row.proxyStatus);
  } else {
    log.info({ event, code: refusal.code, status: refusal.status, reason: refusal.message }, "tunnel refused");
  }
  if (event === LOG_EVENTS.peerDialFailed || refusal.code === "TLSB_ERR_PEER_CERT") context.metrics.dialFailed(refusal.row.proxyStatus);
  context.metrics.tunnelRefused(refusal.status, refusal.row.proxyStatus);
  context.status.tunnelRefused({
    code: refusal.code, status: refusal.status, reason: refusal.message, client: state.bindings.client as string,
    ...(state.target !== undefined ? { target: state.target } : {}),
  });
  door.answerRefusal(refusal, context.nodeName);
}
