// One connection from an ingress at the peer, start to end:
//
//   (TLS handshake and client certificate already checked by the listener)
//     ─▶ read head ─▶ parse CONNECT ─▶ allow list (403) ─▶ DNS + dial service (502/504)
//     ─▶ answer 200, forward early data, splice
import { randomUUID } from "node:crypto";
import type net from "node:net";
import type tls from "node:tls";
import type { Logger } from "pino";
import { addressKey, answerAndClose, logEvent, readUntil, ReadUntilError, splice } from "@tlsbridge/transport";
import { formatConnectEstablished, formatErrorResponse, HeadReader, parseConnectRequest, tunnelIdOf, TunnelError } from "@tlsbridge/wire";
import type { HeadAndRest } from "@tlsbridge/wire";
import type { IngressCertificate } from "./ingress-certificate.ts";
import type { PeerContext } from "./peer-context.ts";
import type { PeerLimits } from "./peer-options.ts";
import { admitAndDial } from "./service-admission.ts";
import { originBindings, tunnelOrigin } from "./tunnel-origin.ts";
import { reportAccess, reportRefusal, reportTunnelClose, reportTunnelOpen } from "./tunnel-report.ts";
import type { PeerAccessEnd, PeerAccessFacts } from "./tunnel-report.ts";

/**
 * Serves one authenticated connection from an ingress (`raw` is the TCP socket under it,
 * `certificate` what the ingress presented on it); never throws (failures are answered and logged).
 */
export async function serveIngress(
  socket: tls.TLSSocket,
  raw: net.Socket,
  certificate: IngressCertificate,
  context: PeerContext,
): Promise<void> {
  const started = performance.now();
  // Bindings, not a chain of child loggers: an idle tunnel holds the one child its tunnel.close goes
  // through (memory per idle tunnel).
  let bindings: Record<string, unknown> = { remote: `${raw.remoteAddress}:${raw.remotePort}` };
  let service: net.Socket | undefined;
  let aborted = false;
  let logged: Logger | undefined; // the tunnel's logger, once its request is parsed
  let releaseSlot = (): void => {};
  const access: PeerAccessFacts = { ingress: Array.isArray(certificate.cn) ? certificate.cn.join(",") : certificate.cn ?? "" };
  let end: PeerAccessEnd | undefined;
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
    bindings = { ...bindings, ingress: certificate.cn };
    if (context.log.isLevelEnabled("debug")) {
      logEvent(context.log.child(bindings), "debug", "auth.granted", { fingerprint256: certificate.fingerprint256, resumed: socket.isSessionReused() }, "ingress authenticated");
    }

    const { head, rest: earlyData } = await readHead(socket, context.limits);
    const request = parseConnectRequest(head);
    const target = request.target;
    access.target = target.authority;
    const origin = tunnelOrigin(request.headers);
    const log = context.log.child({
      ...bindings, tunnel: tunnelIdOf(request.headers) ?? randomUUID(), target: target.authority, ...originBindings(origin),
    });
    logged = log;
    service = await admitAndDial(target, request.headers, origin.client,
      { key: certificate.fingerprint256 ?? addressKey(raw.remoteAddress), names: certificate.names }, log, context,
      (release) => (releaseSlot = release));
    if (aborted || socket.destroyed) {
      // Shut down, or the ingress reset, while the service was dialed: nothing to splice with
      // (splice() would wait for a 'close' the dead socket already emitted, and never end).
      service.destroy();
      end = { outcome: aborted ? "aborted" : "client_left", bytesUp: 0, bytesDown: 0 };
      return;
    }
    socket.write(formatConnectEstablished());
    if (earlyData.length > 0) service.write(earlyData);
    // Early data went towards the service too: counted like the spliced bytes (and as mode h2
    // counts it, where it is spliced with the rest).
    const earlyBytes = earlyData.length;
    reportTunnelOpen(log, service, started, context, access);
    const result = await splice({ socket, raw }, { socket: service, raw: service }, {
      idleTimeoutMs: context.limits.idleTimeoutMs,
      maxLifetimeMs: context.limits.maxTunnelLifetimeMs,
    }).done;
    end = reportTunnelClose(log, { ...result, bytesUp: result.bytesUp + earlyBytes }, started, aborted, context, access);
  } catch (err) {
    service?.destroy();
    end = refuse(socket, err, context, logged ?? context.log.child(bindings), access);
  } finally {
    releaseSlot();
    unregister();
    if (end !== undefined) reportAccess(logged ?? context.log.child(bindings), certificate.cn, access, end, started);
  }
}

/** Reads the ingress's request head; the HeadReader and its chunks are garbage once it returns. */
async function readHead(socket: tls.TLSSocket, limits: PeerLimits): Promise<HeadAndRest> {
  const reader = new HeadReader(limits.maxHeadBytes, "TLSB_ERR_HEAD_TOO_LARGE");
  return await readUntil(socket, (chunk) => reader.push(chunk), limits.headTimeoutMs)
    .catch((err: unknown) => {
      throw err instanceof ReadUntilError && err.reason === "timeout"
        ? new TunnelError("TLSB_ERR_HEAD_TIMEOUT", "request head not received in time", { cause: err })
        : err;
    });
}

/**
 * Answers a refusal; how the request ended, or undefined when the ingress left without sending a
 * byte (a warm pool connection it closed unused: not a request, no access line).
 */
function refuse(socket: tls.TLSSocket, err: unknown, context: PeerContext, log: Logger, access: PeerAccessFacts): PeerAccessEnd | undefined {
  if (err instanceof ReadUntilError) {
    logEvent(log, "debug", "request.rejected", { reason: err.message }, "ingress left before a request");
    socket.destroy();
    return err.bytesRead > 0 ? { outcome: "client_left", bytesUp: 0, bytesDown: 0 } : undefined;
  }
  answerAndClose(socket, formatErrorResponse(reportRefusal(err, log, context, access), context.nodeName));
  return { outcome: "refused", bytesUp: 0, bytesDown: 0 };
}
