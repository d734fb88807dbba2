// One client connection at the ingress, start to end, whatever front door it came through:
//
//   accept ─▶ (TLS, HTTPS-proxy listeners) ─▶ front door reads the request ─▶ shared tunnel path
//     (tunnel-opener.ts) ─▶ splice ─▶ tunnel.close │ any refusal: logged, answered by the door
//   and whichever way it ends, one `access` line (access-line.ts)
import { randomUUID } from "node:crypto";
import type net from "node:net";
import type { Logger } from "pino";
import { logEvent, ReadUntilError, splice } from "@tlsbridge/transport";
import { isTunnelError, TunnelError } from "@tlsbridge/wire";
import { writeAccessLine } from "./access-line.ts";
import type { AccessEnd } from "./access-line.ts";
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
    earlyDataBytes: 0,
    access: {},
  };
  let end: Omit<AccessEnd, "durationMs"> | undefined;
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
    if (routed === undefined || upstream === undefined) {
      // The peer's refusal was relayed, or the client left (or shutdown cut it) while the peer answered.
      const outcome = state.access.status !== undefined ? "refused" : state.aborted ? "aborted" : "client_left";
      end = { outcome, bytesUp: 0, bytesDown: 0 };
      return;
    }
    const tunnel = splice({ socket: client, raw }, upstream, {
      idleTimeoutMs: context.limits.idleTimeoutMs,
      maxLifetimeMs: context.limits.maxTunnelLifetimeMs,
    });
    const result = await tunnel.done;
    const outcome = state.aborted ? "aborted" : result.outcome;
    // The client's early data went towards the service before the splice: counted with it.
    const bytesUp = result.bytesUp + state.earlyDataBytes;
    logEvent(routed, "info", "tunnel.close", {
      bytesUp,
      bytesDown: result.bytesDown,
      durationMs: roundMs(performance.now() - started),
      outcome,
      ...(result.error !== undefined ? { err: result.error } : {}),
    }, "tunnel closed");
    context.metrics.tunnelClosed({ outcome, bytesUp, bytesDown: result.bytesDown });
    if (state.opened !== undefined) context.status.tunnelClosed(state.opened);
    end = { outcome, bytesUp, bytesDown: result.bytesDown };
  } catch (err) {
    state.upstream?.socket.destroy();
    const refused = refuse(client, door, err, context, context.log.child(state.bindings), state);
    const outcome = refused === "client_left" && state.aborted ? "aborted" : refused; // shutdown cut it mid-request
    // A connection that left without sending a byte (a port check) made no attempt: no access line.
    if (outcome === "refused" || raw.bytesRead > 0) end = { outcome, bytesUp: 0, bytesDown: 0 };
  } finally {
    state.releaseSlot();
    unregister();
    if (end !== undefined) {
      writeAccessLine(context.log, context.protocol, state.bindings, state.access, { ...end, durationMs: roundMs(performance.now() - started) });
    }
  }
}

/** Logs, counts and answers a refusal (noted in `state.access`): the access line's outcome. */
function refuse(client: net.Socket, door: FrontDoor, err: unknown, context: ListenerContext, log: Logger, state: ClientState): "refused" | "client_left" {
  if (err instanceof ReadUntilError) {
    // The client left before a request: nobody to answer.
    logEvent(log, "debug", "request.rejected", { reason: err.message }, "client left before a request");
    client.destroy();
    return "client_left";
  }
  if (!isTunnelError(err)) {
    logEvent(log, "error", "internal.error", { err }, "unexpected failure");
    err = new TunnelError("TLSB_ERR_INTERNAL", "internal error", { cause: err });
  }
  const refusal = err as TunnelError;
  // A peer certificate we refused (or a peer refusing ours) is an auth event, like the peer's own.
  const event = refusal.code === "TLSB_ERR_PEER_CERT" ? "auth.denied"
    : refusal.code === "TLSB_ERR_TOO_MANY_TUNNELS" ? "tunnel.limited"
    : refusal.nextHop !== undefined ? "via.proxy.failed"
    : refusal.code.startsWith("TLSB_ERR_PEER") || refusal.code === "TLSB_ERR_CONNECT_TIMEOUT" ? "peer.dial.failed"
    : "request.rejected";
  if (refusal.code === "TLSB_ERR_PROXY_AUTH" || refusal.code === "TLSB_ERR_AUTH_BUSY") {
    // Already logged as auth.denied by authenticate(), with the user name.
  } else if (event === "auth.denied") {
    // Same fields as the peer's auth.denied: `reason` is the kind, `err` says exactly what failed.
    logEvent(log, "warn", event, { code: refusal.code, status: refusal.status, reason: "certificate", err: refusal.cause ?? refusal }, refusal.message);
  } else if (event === "via.proxy.failed" && refusal.nextHop !== undefined) {
    // The corporate proxy's hop failed, not the peer's (corporate-proxy-carrier.ts).
    logEvent(log, "warn", event, {
      hop: "corporate-proxy", proxy: refusal.nextHop, code: refusal.code, status: refusal.status, receivedStatus: refusal.receivedStatus, reason: refusal.message,
    }, "corporate proxy failed");
    context.metrics.corporateProxyFailed(refusal.nextHop, refusal.row.proxyStatus);
  } else {
    logEvent(log, "info", event, { code: refusal.code, status: refusal.status, reason: refusal.message }, "tunnel refused");
  }
  if (event === "peer.dial.failed" || refusal.code === "TLSB_ERR_PEER_CERT") context.metrics.dialFailed(refusal.row.proxyStatus);
  context.metrics.tunnelRefused(refusal.status, refusal.row.proxyStatus);
  state.access.status = refusal.status;
  state.access.error = refusal.row.proxyStatus;
  state.access.code = refusal.code;
  context.status.tunnelRefused({
    code: refusal.code, status: refusal.status, reason: refusal.message, client: state.bindings.client as string,
    ...(state.access.target !== undefined ? { target: state.access.target } : {}),
  });
  door.answerRefusal(refusal, context.nodeName);
  return "refused";
}
