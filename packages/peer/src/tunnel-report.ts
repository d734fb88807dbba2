// The log lines and metrics of a tunnel at the peer, the same for both modes: `tunnel.open`,
// `tunnel.close`, the refusal's event chosen from its status-table row, and the one `access` line
// per tunnel request (issue 15).
import type net from "node:net";
import type { Logger } from "pino";
import { accessSummary, logEvent } from "@tlsbridge/transport";
import type { SpliceResult, TunnelPlace } from "@tlsbridge/transport";
import { isTunnelError, TunnelError } from "@tlsbridge/wire";
import { DestinationAddressError } from "./destination-address.ts";
import type { PeerContext } from "./peer-context.ts";

function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/** What one tunnel request learnt so far, for its access line; each part set by the step that learns it. */
export type PeerAccessFacts = {
  /** The ingress it came from (its certificate's name), for the status board. */
  readonly ingress: string;
  target?: string;
  /** The service's address, as dialled. */
  service?: string;
  status?: number;
  /** Proxy-Status error type and our TLSB_ERR_* code of a refusal. */
  error?: string;
  code?: string;
  setupMs?: number;
};

/** How a tunnel request ended: a spliced tunnel's outcome, `refused`, `client_left` (the ingress, before an answer), `aborted`. */
export type PeerAccessEnd = { readonly outcome: string; readonly bytesUp: number; readonly bytesDown: number };

/** Logs and counts an opened tunnel (`started` is `performance.now()` at accept), noting it in `access`. */
export function reportTunnelOpen(log: Logger, service: net.Socket, started: number, context: PeerContext, access: PeerAccessFacts): void {
  access.status = 200;
  access.service = `${service.remoteAddress}:${service.remotePort}`;
  access.setupMs = elapsedMs(started);
  logEvent(log, "info", "tunnel.open", { service: access.service, setupMs: access.setupMs }, "tunnel open");
  context.metrics.tunnelOpened((performance.now() - started) / 1000);
  context.status.tunnelOpened(placeOf(access));
}

/** Logs and counts a closed tunnel; `aborted` when shutdown cut it. How it ended, for the access line. */
export function reportTunnelClose(log: Logger, result: SpliceResult, started: number, aborted: boolean, context: PeerContext, access: PeerAccessFacts): PeerAccessEnd {
  const outcome = aborted ? "aborted" : result.outcome;
  logEvent(log, "info", "tunnel.close", {
    bytesUp: result.bytesUp,
    bytesDown: result.bytesDown,
    durationMs: elapsedMs(started),
    outcome,
    ...(result.error !== undefined ? { err: result.error } : {}),
  }, "tunnel closed");
  context.metrics.tunnelClosed({ outcome, bytesUp: result.bytesUp, bytesDown: result.bytesDown });
  context.status.tunnelClosed(placeOf(access));
  return { outcome, bytesUp: result.bytesUp, bytesDown: result.bytesDown };
}

function placeOf(access: PeerAccessFacts): TunnelPlace {
  return { ingress: access.ingress };
}

/**
 * Turns a failure into the refusal to send: our own faults are logged as errors and answered 500;
 * every refusal is logged under the event its row calls for and counted.
 */
export function reportRefusal(err: unknown, log: Logger, context: PeerContext, access: PeerAccessFacts): TunnelError {
  let refusal: TunnelError;
  if (isTunnelError(err)) refusal = err;
  else {
    logEvent(log, "error", "internal.error", { err }, "unexpected failure");
    refusal = new TunnelError("TLSB_ERR_INTERNAL", "internal error", { cause: err });
  }
  const denied = refusal.code === "TLSB_ERR_DESTINATION_DENIED" || refusal.code === "TLSB_ERR_DESTINATION_ADDRESS";
  const event = denied ? "destination.denied"
    : refusal.code === "TLSB_ERR_TOO_MANY_TUNNELS" ? "tunnel.limited"
    : refusal.status >= 500 && refusal.code !== "TLSB_ERR_INTERNAL" ? "service.dial.failed"
    : "request.rejected";
  const address = refusal instanceof DestinationAddressError ? { address: refusal.address } : {};
  logEvent(log, "info", event, { code: refusal.code, status: refusal.status, reason: refusal.message, ...address }, "tunnel refused");
  if (event === "service.dial.failed") context.metrics.dialFailed(refusal.row.proxyStatus);
  context.metrics.tunnelRefused(refusal.status, refusal.row.proxyStatus);
  access.status = refusal.status;
  access.error = refusal.row.proxyStatus;
  access.code = refusal.code;
  context.status.tunnelRefused({
    code: refusal.code, status: refusal.status, reason: refusal.message, client: access.ingress,
    ...(access.target !== undefined ? { target: access.target } : {}),
  });
  return refusal;
}

/**
 * The request's one access line, through the tunnel's logger (which carries `remote`, `ingress`,
 * `tunnel`, `target`, `client`, `user`, `mode`); `ingress` (the certificate's name) is for `msg`.
 */
export function reportAccess(
  log: Logger, ingress: string | readonly string[] | undefined, access: PeerAccessFacts, end: PeerAccessEnd, started: number,
): void {
  const durationMs = elapsedMs(started);
  const name = typeof ingress === "string" ? ingress : ingress?.join(",");
  const from = `from ${name ?? "an unnamed ingress"}${access.service !== undefined ? ` to ${access.service}` : ""}`;
  logEvent(log, "info", "access", {
    // pino leaves the facts not learnt (undefined) out of the line
    service: access.service, status: access.status, error: access.error, code: access.code,
    bytesUp: end.bytesUp, bytesDown: end.bytesDown, setupMs: access.setupMs, durationMs,
    outcome: end.outcome,
  }, accessSummary({
    verb: "CONNECT", target: access.target, status: access.status, error: access.error, hop: from,
    bytes: access.status === 200 ? { up: end.bytesUp, down: end.bytesDown } : undefined, durationMs, outcome: end.outcome,
  }));
}
