// The log lines and metrics of a tunnel at the peer, the same for both modes: `tunnel.open`,
// `tunnel.close`, and the refusal's event chosen from its status-table row.
import type net from "node:net";
import type { Logger } from "pino";
import { LOG_EVENTS } from "@tlsbridge/transport";
import type { SpliceResult, TunnelPlace } from "@tlsbridge/transport";
import { isTunnelError, TunnelError } from "@tlsbridge/wire";
import { DestinationAddressError } from "./destination-address.ts";
import type { PeerContext } from "./peer-context.ts";

function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/** What the status board is told of a tunnel at the peer: the ingress it came from, its target once parsed. */
export type TunnelSeen = { ingress: string; target?: string };

/** Logs and counts an opened tunnel (`started` is `performance.now()` at accept). */
export function reportTunnelOpen(log: Logger, service: net.Socket, started: number, context: PeerContext, seen: TunnelSeen): void {
  log.info({
    event: LOG_EVENTS.tunnelOpen, service: `${service.remoteAddress}:${service.remotePort}`, setupMs: elapsedMs(started),
  }, "tunnel open");
  context.metrics.tunnelOpened((performance.now() - started) / 1000);
  context.status.tunnelOpened(placeOf(seen));
}

/** Logs and counts a closed tunnel; `aborted` when shutdown cut it. */
export function reportTunnelClose(log: Logger, result: SpliceResult, started: number, aborted: boolean, context: PeerContext, seen: TunnelSeen): void {
  const outcome = aborted ? "aborted" : result.outcome;
  log.info({
    event: LOG_EVENTS.tunnelClose,
    bytesUp: result.bytesUp,
    bytesDown: result.bytesDown,
    durationMs: elapsedMs(started),
    outcome,
    ...(result.error !== undefined ? { err: result.error } : {}),
  }, "tunnel closed");
  context.metrics.tunnelClosed({ outcome, bytesUp: result.bytesUp, bytesDown: result.bytesDown });
  context.status.tunnelClosed(placeOf(seen));
}

function placeOf(seen: TunnelSeen): TunnelPlace {
  return { ingress: seen.ingress };
}

/**
 * Turns a failure into the refusal to send: our own faults are logged as errors and answered 500;
 * every refusal is logged under the event its row calls for and counted.
 */
export function reportRefusal(err: unknown, log: Logger, context: PeerContext, seen: TunnelSeen): TunnelError {
  let refusal: TunnelError;
  if (isTunnelError(err)) refusal = err;
  else {
    log.error({ event: LOG_EVENTS.internalError, err }, "unexpected failure");
    refusal = new TunnelError("TLSB_ERR_INTERNAL", "internal error", { cause: err });
  }
  const denied = refusal.code === "TLSB_ERR_DESTINATION_DENIED" || refusal.code === "TLSB_ERR_DESTINATION_ADDRESS";
  const event = denied ? LOG_EVENTS.destinationDenied
    : refusal.code === "TLSB_ERR_TOO_MANY_TUNNELS" ? LOG_EVENTS.tunnelLimited
    : refusal.status >= 500 && refusal.code !== "TLSB_ERR_INTERNAL" ? LOG_EVENTS.serviceDialFailed
    : LOG_EVENTS.requestRejected;
  const address = refusal instanceof DestinationAddressError ? { address: refusal.address } : {};
  log.info({ event, code: refusal.code, status: refusal.status, reason: refusal.message, ...address }, "tunnel refused");
  if (event === LOG_EVENTS.serviceDialFailed) context.metrics.dialFailed(refusal.row.proxyStatus);
  context.metrics.tunnelRefused(refusal.status, refusal.row.proxyStatus);
  context.status.tunnelRefused({
    code: refusal.code, status: refusal.status, reason: refusal.message, client: seen.ingress,
    ...(seen.target !== undefined ? { target: seen.target } : {}),
  });
  return refusal;
}
