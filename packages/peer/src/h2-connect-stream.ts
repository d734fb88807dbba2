// One tunnel of the multiplexed mode at the peer: a CONNECT stream (RFC 9113 §8.5), checked and
// answered exactly as the HTTP/1.1 path answers a CONNECT (same status table, same Proxy-Status,
// same log events), then spliced with the service: END_STREAM is a FIN, RST_STREAM(CONNECT_ERROR)
// a TCP reset, both ways.
import { randomUUID } from "node:crypto";
import http2 from "node:http2";
import type net from "node:net";
import type { Logger } from "pino";
import {
  addressKey, DialError, dialTcp, h2StreamEnd, LOG_EVENTS, splice, treatConnectErrorAsReset,
} from "@tlsbridge/transport";
import {
  formatErrorResponse, isTunnelError, parseResponseHead, parseTarget, tunnelIdOf, TunnelError, viaIncludes,
} from "@tlsbridge/wire";
import type { HeaderList } from "@tlsbridge/wire";
import type { PeerContext } from "./ingress-connection.ts";
import { serviceDialError } from "./service-failure.ts";

/** Who is on the other end of a session (from its client certificate). */
export type IngressIdentity = {
  readonly remote: string;
  readonly name: string | undefined;
  readonly fingerprint256: string | undefined;
  readonly resumed: boolean;
};

/** Serves one CONNECT stream; never throws (failures are answered on the stream and logged). */
export async function serveConnectStream(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  ingress: IngressIdentity,
  context: PeerContext,
): Promise<void> {
  const started = performance.now();
  let log = context.log.child({ remote: ingress.remote, ingress: ingress.name, mode: "h2" });
  let service: net.Socket | undefined;
  let aborted = false;
  let releaseSlot = (): void => {};
  const unregister = context.registry.add({
    abort: () => {
      aborted = true;
      stream.close(http2.constants.NGHTTP2_CANCEL);
      service?.destroy();
    },
  });
  treatConnectErrorAsReset(stream);
  stream.on("error", () => {}); // routine resets before the splice owns the stream
  try {
    const list = headerList(headers);
    if (headers[":method"] !== "CONNECT") {
      throw new TunnelError("TLSB_ERR_METHOD_NOT_ALLOWED", `method ${String(headers[":method"])} is not CONNECT`);
    }
    if (headers[":protocol"] !== undefined || headers[":path"] !== undefined || headers[":scheme"] !== undefined) {
      // RFC 9113 §8.5: a classic CONNECT has only :method and :authority.
      throw new TunnelError("TLSB_ERR_BAD_REQUEST", "CONNECT with :path, :scheme or :protocol", {
        details: "only classic CONNECT (RFC 9113 §8.5) is served",
      });
    }
    const target = parseTarget(String(headers[":authority"] ?? ""));
    log = log.child({ tunnel: tunnelIdOf(list) ?? randomUUID(), target: target.authority });
    if (viaIncludes(list, context.nodeName)) {
      throw new TunnelError("TLSB_ERR_PROXY_LOOP", `request already passed through ${context.nodeName}`);
    }
    if (!context.allow.allows(target.host, target.port)) {
      throw new TunnelError("TLSB_ERR_DESTINATION_DENIED", `${target.authority} is not in the peer's allow list`, {
        details: "destination not allowed by the peer",
      });
    }
    const slot = context.limiter.acquire(ingress.fingerprint256 ?? addressKey(ingress.remote));
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
    if (aborted || stream.destroyed) {
      service.destroy();
      return;
    }
    stream.respond({ ":status": 200 });
    log.info({
      event: LOG_EVENTS.tunnelOpen, service: `${service.remoteAddress}:${service.remotePort}`,
      setupMs: Math.round((performance.now() - started) * 10) / 10,
    }, "tunnel open");
    // Early data the ingress sent with its CONNECT waits in the stream and is spliced like the rest.
    const result = await splice(h2StreamEnd(stream), { socket: service, raw: service }, {
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
  } catch (err) {
    service?.destroy();
    refuse(stream, err, context, log);
  } finally {
    releaseSlot();
    unregister();
  }
}

function headerList(headers: http2.IncomingHttpHeaders): HeaderList {
  const list: HeaderList = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) list.push([name, v]);
  }
  return list;
}

function refuse(stream: http2.ServerHttp2Stream, err: unknown, context: PeerContext, log: Logger): void {
  if (!isTunnelError(err)) {
    log.error({ event: LOG_EVENTS.internalError, err }, "unexpected failure");
    err = new TunnelError("TLSB_ERR_INTERNAL", "internal error", { cause: err });
  }
  const refusal = err as TunnelError;
  const event = refusal.code === "TLSB_ERR_DESTINATION_DENIED" ? LOG_EVENTS.destinationDenied
    : refusal.code === "TLSB_ERR_TOO_MANY_TUNNELS" ? LOG_EVENTS.tunnelLimited
    : refusal.status >= 500 ? LOG_EVENTS.serviceDialFailed : LOG_EVENTS.requestRejected;
  log.info({ event, code: refusal.code, status: refusal.status, reason: refusal.message }, "tunnel refused");
  if (stream.destroyed || stream.headersSent) return;
  // The HTTP/1.1 refusal is the one source of status and fields; HTTP/2 carries the same ones
  // (Connection and Content-Length are connection-specific there, RFC 9113 §8.2.2).
  const head = parseResponseHead(formatErrorResponse(refusal, context.nodeName));
  const out: http2.OutgoingHttpHeaders = { ":status": head.status };
  for (const [name, value] of head.headers) {
    const lower = name.toLowerCase();
    if (lower === "connection" || lower === "content-length") continue;
    out[lower] = value;
  }
  stream.respond(out, { endStream: true });
}
