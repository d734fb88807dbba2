// One connection from an ingress at the peer, start to end:
//
//   (TLS handshake and client certificate already checked by the listener)
//     ─▶ read head ─▶ parse CONNECT ─▶ allow list (403) ─▶ DNS + dial service (502/504)
//     ─▶ answer 200, forward early data, splice
import { randomUUID } from "node:crypto";
import type net from "node:net";
import type tls from "node:tls";
import type { Logger } from "pino";
import type { AllowList } from "@tlsbridge/rules";
import {
  addressKey, answerAndClose, DialError, dialTcp, LOG_EVENTS, readUntil, ReadUntilError, splice,
} from "@tlsbridge/transport";
import type { ConnectionRegistry, TunnelLimiter, TunnelMetrics } from "@tlsbridge/transport";
import {
  formatConnectEstablished, formatErrorResponse, HeadReader, isTunnelError, parseConnectRequest, tunnelIdOf,
  TunnelError, viaIncludes,
} from "@tlsbridge/wire";
import type { PeerLimits } from "./peer-options.ts";
import { serviceDialError } from "./service-failure.ts";

/** What every connection to this peer shares. */
export type PeerContext = {
  readonly nodeName: string;
  readonly allow: AllowList;
  readonly limits: PeerLimits;
  readonly registry: ConnectionRegistry;
  /** Caps per node and per ingress certificate (SHA-256 fingerprint). */
  readonly limiter: TunnelLimiter;
  readonly log: Logger;
  /** Counters and histograms (the cli's prom-client sink, or NO_METRICS). */
  readonly metrics: TunnelMetrics;
};

/**
 * Serves one authenticated connection from an ingress (`raw` is the TCP socket under it); never
 * throws (failures are answered and logged).
 */
export async function serveIngress(socket: tls.TLSSocket, raw: net.Socket, context: PeerContext): Promise<void> {
  const started = performance.now();
  let log = context.log.child({ remote: `${raw.remoteAddress}:${raw.remotePort}` });
  let service: net.Socket | undefined;
  let aborted = false;
  let releaseSlot = (): void => {};
  const unregister = context.registry.add({
    abort: () => {
      aborted = true;
      // Cut with a reset, not a FIN: a close-delimited protocol would take a FIN for a whole transfer.
      raw.resetAndDestroy();
      service?.resetAndDestroy();
    },
  });
  socket.on("error", () => {}); // routine resets before the splice owns the socket
  try {
    const certificate = socket.getPeerCertificate();
    log = log.child({ ingress: certificate.subject?.CN });
    log.debug({ event: LOG_EVENTS.authGranted, fingerprint256: certificate.fingerprint256, resumed: socket.isSessionReused() }, "ingress authenticated");

    const reader = new HeadReader(context.limits.maxHeadBytes, "TLSB_ERR_HEAD_TOO_LARGE");
    const { head, rest: earlyData } = await readUntil(socket, (chunk) => reader.push(chunk), context.limits.headTimeoutMs)
      .catch((err: unknown) => {
        throw err instanceof ReadUntilError && err.reason === "timeout"
          ? new TunnelError("TLSB_ERR_HEAD_TIMEOUT", "request head not received in time", { cause: err })
          : err;
      });
    const request = parseConnectRequest(head);
    const target = request.target;
    log = log.child({ tunnel: tunnelIdOf(request.headers) ?? randomUUID(), target: target.authority });
    if (viaIncludes(request.headers, context.nodeName)) {
      throw new TunnelError("TLSB_ERR_PROXY_LOOP", `request already passed through ${context.nodeName}`);
    }
    if (!context.allow.allows(target.host, target.port)) {
      throw new TunnelError("TLSB_ERR_DESTINATION_DENIED", `${target.authority} is not in the peer's allow list`, {
        details: "destination not allowed by the peer",
      });
    }
    const slot = context.limiter.acquire(certificate.fingerprint256 ?? addressKey(raw.remoteAddress));
    if (!slot.ok) {
      throw new TunnelError("TLSB_ERR_TOO_MANY_TUNNELS", `tunnel limit reached (${slot.limit === "node" ? "node" : "ingress"}: ${slot.max})`, {
        details: slot.limit === "node" ? "too many tunnels on this peer" : "too many tunnels from this ingress",
      });
    }
    releaseSlot = slot.release;
    service = await dialTcp({ host: target.host, port: target.port, timeoutMs: context.limits.serviceConnectTimeoutMs })
      .catch((err: unknown) => {
        throw err instanceof DialError ? serviceDialError(target.authority, err) : err;
      });
    if (aborted) return;
    socket.write(formatConnectEstablished());
    if (earlyData.length > 0) service.write(earlyData);
    log.info({
      event: LOG_EVENTS.tunnelOpen, service: `${service.remoteAddress}:${service.remotePort}`,
      setupMs: Math.round((performance.now() - started) * 10) / 10,
    }, "tunnel open");
    context.metrics.tunnelOpened((performance.now() - started) / 1000);
    const result = await splice({ socket, raw }, { socket: service, raw: service }, {
      idleTimeoutMs: context.limits.idleTimeoutMs,
      maxLifetimeMs: context.limits.maxTunnelLifetimeMs,
    }).done;
    log.info({
      event: LOG_EVENTS.tunnelClose,
      bytesUp: result.bytesUp,
      bytesDown: result.bytesDown,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      outcome: aborted ? "aborted" : result.outcome,
      ...(result.error !== undefined ? { err: result.error } : {}),
    }, "tunnel closed");
    context.metrics.tunnelClosed({ outcome: aborted ? "aborted" : result.outcome, bytesUp: result.bytesUp, bytesDown: result.bytesDown });
  } catch (err) {
    service?.destroy();
    refuse(socket, err, context, log);
  } finally {
    releaseSlot();
    unregister();
  }
}

function refuse(socket: tls.TLSSocket, err: unknown, context: PeerContext, log: Logger): void {
  if (err instanceof ReadUntilError) {
    log.debug({ event: LOG_EVENTS.requestRejected, reason: err.message }, "ingress left before a request");
    socket.destroy();
    return;
  }
  if (!isTunnelError(err)) {
    log.error({ event: LOG_EVENTS.internalError, err }, "unexpected failure");
    err = new TunnelError("TLSB_ERR_INTERNAL", "internal error", { cause: err });
  }
  const refusal = err as TunnelError;
  const event = refusal.code === "TLSB_ERR_DESTINATION_DENIED" ? LOG_EVENTS.destinationDenied
    : refusal.code === "TLSB_ERR_TOO_MANY_TUNNELS" ? LOG_EVENTS.tunnelLimited
    : refusal.status >= 500 ? LOG_EVENTS.serviceDialFailed : LOG_EVENTS.requestRejected;
  log.info({ event, code: refusal.code, status: refusal.status, reason: refusal.message }, "tunnel refused");
  if (event === LOG_EVENTS.serviceDialFailed) context.metrics.dialFailed(refusal.row.proxyStatus);
  context.metrics.tunnelRefused(refusal.status, refusal.row.proxyStatus);
  answerAndClose(socket, formatErrorResponse(refusal, context.nodeName));
}
