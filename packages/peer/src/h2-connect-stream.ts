// One tunnel of the multiplexed mode at the peer: a CONNECT stream (RFC 9113 §8.5), checked and
// answered exactly as the HTTP/1.1 path answers a CONNECT (same status table, same Proxy-Status,
// same log events), then spliced with the service: END_STREAM is a FIN, RST_STREAM(CONNECT_ERROR)
// a TCP reset, both ways.
import { randomUUID } from "node:crypto";
import http2 from "node:http2";
import type net from "node:net";
import type { Logger } from "pino";
import { addressKey, h2HeaderList, h2StreamEnd, resetStream, splice, treatConnectErrorAsReset } from "@tlsbridge/transport";
import { formatErrorResponse, parseResponseHead, parseTarget, tunnelIdOf, TunnelError } from "@tlsbridge/wire";
import type { PeerContext } from "./peer-context.ts";
import { admitAndDial } from "./service-admission.ts";
import { originBindings, tunnelOrigin } from "./tunnel-origin.ts";
import { reportAccess, reportRefusal, reportTunnelClose, reportTunnelOpen } from "./tunnel-report.ts";
import type { PeerAccessEnd, PeerAccessFacts } from "./tunnel-report.ts";

/** Who is on the other end of a session (from its client certificate). */
export type IngressIdentity = {
  readonly remote: string;
  readonly name: string | undefined;
  readonly fingerprint256: string | undefined;
  /** DNS names, URIs and CN(s) of its certificate (what allow entries' `ingresses:` match). */
  readonly names: readonly string[];
  readonly resumed: boolean;
};

/** What the abort hook and the refusal path of one stream need while it is being set up. */
type StreamState = {
  log: Logger | undefined;
  service: net.Socket | undefined;
  aborted: boolean;
  releaseSlot: () => void;
  /** What the stream's access line will say. */
  access: PeerAccessFacts;
};

const IGNORE = (): void => {};

/** Serves one CONNECT stream; never throws (failures are answered on the stream and logged). */
export async function serveConnectStream(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  ingress: IngressIdentity,
  context: PeerContext,
): Promise<void> {
  const started = performance.now();
  const state: StreamState = { log: undefined, service: undefined, aborted: false, releaseSlot: IGNORE, access: { ingress: ingress.name ?? "" } };
  let end: PeerAccessEnd | undefined;
  const unregister = context.registry.add({
    abort: () => {
      state.aborted = true;
      // A reset, not END_STREAM: the ingress must not take the cut for a whole transfer.
      resetStream(stream, http2.constants.NGHTTP2_CANCEL);
      state.service?.resetAndDestroy();
    },
  });
  treatConnectErrorAsReset(stream);
  stream.on("error", IGNORE); // routine resets before the splice owns the stream
  try {
    // The request headers and what is parsed from them live only in admit()'s frame, not for the
    // tunnel's whole life (memory per idle tunnel).
    const service = await admit(stream, headers, ingress, context, state);
    if (service === undefined) {
      end = { outcome: state.aborted ? "aborted" : "client_left", bytesUp: 0, bytesDown: 0 };
      return;
    }
    const log = state.log as Logger;
    reportTunnelOpen(log, service, started, context, state.access);
    // Early data the ingress sent with its CONNECT waits in the stream and is spliced like the rest.
    const result = await splice(h2StreamEnd(stream), { socket: service, raw: service }, {
      idleTimeoutMs: context.limits.idleTimeoutMs,
      maxLifetimeMs: context.limits.maxTunnelLifetimeMs,
    }).done;
    end = reportTunnelClose(log, result, started, state.aborted, context, state.access);
  } catch (err) {
    state.service?.destroy();
    refuse(stream, err, context, state.log ?? context.log.child(ingressBindings(ingress)), state.access);
    end = { outcome: "refused", bytesUp: 0, bytesDown: 0 };
  } finally {
    state.releaseSlot();
    unregister();
    if (end !== undefined) reportAccess(state.log ?? context.log.child(ingressBindings(ingress)), ingress.name, state.access, end, started);
  }
}

/** The bindings every line of a stream carries, before its target is known. */
function ingressBindings(ingress: IngressIdentity): Record<string, unknown> {
  return { remote: ingress.remote, ingress: ingress.name, mode: "h2" };
}

/**
 * Checks the CONNECT, admits it and dials the service, then answers 200; the service socket, or
 * undefined when the stream went away meanwhile. Sets `state.log` (one child logger per tunnel)
 * once the target is known. Throws TunnelError.
 */
async function admit(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  ingress: IngressIdentity,
  context: PeerContext,
  state: StreamState,
): Promise<net.Socket | undefined> {
  const list = h2HeaderList(headers);
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
  state.access.target = target.authority;
  const origin = tunnelOrigin(list);
  state.log = context.log.child({
    ...ingressBindings(ingress), tunnel: tunnelIdOf(list) ?? randomUUID(), target: target.authority, ...originBindings(origin),
  });
  const service = await admitAndDial(target, list, origin.client, { key: ingress.fingerprint256 ?? addressKey(ingress.remote), names: ingress.names },
    state.log, context, (release) => (state.releaseSlot = release));
  state.service = service;
  if (state.aborted || stream.destroyed) {
    service.destroy();
    return undefined;
  }
  stream.respond({ ":status": 200 });
  return service;
}

function refuse(stream: http2.ServerHttp2Stream, err: unknown, context: PeerContext, log: Logger, access: PeerAccessFacts): void {
  const refusal = reportRefusal(err, log, context, access);
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
