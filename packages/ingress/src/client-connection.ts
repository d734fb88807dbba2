// One client connection at the ingress, start to end:
//
//   accept ─▶ (TLS, HTTPS-proxy listeners) ─▶ read head ─▶ parse CONNECT ─▶ proxy auth, when the
//     listener has users (407) ─▶ route (403 on miss)
//     ─▶ dial peer (mTLS) ─▶ replay CONNECT (+ early data) ─▶ scan peer's response head
//     ─▶ 200: answer 200, splice │ other: relay it with our Proxy-Status member, close
import { randomUUID } from "node:crypto";
import type net from "node:net";
import type tls from "node:tls";
import type { Logger } from "pino";
import type { RuleSet } from "@tlsbridge/rules";
import { addressKey, answerAndClose, LOG_EVENTS, readUntil, ReadUntilError, splice } from "@tlsbridge/transport";
import type { ConnectionRegistry, SpliceEnd, TunnelLimiter, TunnelMetrics } from "@tlsbridge/transport";
import {
  formatConnectEstablished, formatErrorResponse, formatRelayedResponse, HeadReader, headerValues,
  isTunnelError, lastProxyStatusMember, parseConnectRequest, TUNNEL_ID_HEADER, TunnelError, viaEntry, viaIncludes,
} from "@tlsbridge/wire";
import type { ConnectRequest, HeadAndRest, ResponseHead } from "@tlsbridge/wire";
import type { IngressLimits } from "./ingress-options.ts";
import type { PeerChoice } from "./peer-choice.ts";
import { openPeerTunnelWithFailover } from "./peer-failover.ts";
import type { PeerLinks } from "./peer-links.ts";
import type { ReplayedRequest } from "./peer-tunnel.ts";
import type { ProxyAuthenticator } from "./proxy-auth.ts";

/** What every connection of one listener shares. */
export type ListenerContext = {
  readonly nodeName: string;
  readonly site: string;
  readonly rules: RuleSet;
  /** Resolves a rule's `peer:` (a peer or a peer group) to the peers to try. */
  readonly peerChoice: PeerChoice;
  /** Per-peer TLS sessions, warm pools and HTTP/2 connections (peer-links.ts). */
  readonly peerLinks: PeerLinks;
  readonly limits: IngressLimits;
  readonly registry: ConnectionRegistry;
  /** Shared by every listener of the node: caps per node and per client address. */
  readonly limiter: TunnelLimiter;
  readonly log: Logger;
  /** Counters and histograms (the runtime's prom-client sink, or NO_METRICS). */
  readonly metrics: TunnelMetrics;
  /** The listener's proxy authentication (`auth: { users }`); undefined: none. */
  readonly auth: ProxyAuthenticator | undefined;
};

/** What the abort hook and the refusal path of one connection need while the tunnel is set up. */
type ClientState = {
  bindings: Record<string, unknown>;
  upstream: SpliceEnd | undefined;
  aborted: boolean;
  releaseSlot: () => void;
};

const IGNORE = (): void => {};

/**
 * Serves one accepted client connection (`client` is TLS on an HTTPS-proxy listener, with `raw` the
 * TCP socket under it; on a plain listener both are the same socket). Never throws: every failure
 * is answered and logged.
 */
export async function serveClient(client: net.Socket, raw: net.Socket, context: ListenerContext): Promise<void> {
  const started = performance.now();
  // Bindings, not child loggers, until the tunnel is open: an idle tunnel then holds one child (the
  // one its tunnel.close goes through) instead of a chain of three (memory per idle tunnel).
  const state: ClientState = {
    bindings: { tunnel: randomUUID(), client: `${raw.remoteAddress}:${raw.remotePort}` },
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
    const routed = await openTunnel(client, raw, context, state, started);
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
      durationMs: round(performance.now() - started),
      outcome,
      ...(result.error !== undefined ? { err: result.error } : {}),
    }, "tunnel closed");
    context.metrics.tunnelClosed({ outcome, bytesUp: result.bytesUp, bytesDown: result.bytesDown });
  } catch (err) {
    state.upstream?.socket.destroy();
    refuse(client, err, context, context.log.child(state.bindings));
  } finally {
    state.releaseSlot();
    unregister();
  }
}

/**
 * Reads, checks and routes the client's CONNECT, opens the peer leg and answers the client: the
 * tunnel's logger once it is open and `state.upstream` is the peer leg to splice, or undefined when
 * the peer refused (relayed here) or the tunnel was cut meanwhile. Throws TunnelError.
 */
async function openTunnel(
  client: net.Socket,
  raw: net.Socket,
  context: ListenerContext,
  state: ClientState,
  started: number,
): Promise<Logger | undefined> {
  const { head, rest: earlyData } = await readHead(client, context.limits);
  const request = parseConnectRequest(head);
  const target = request.target;
  if (viaIncludes(request.headers, context.nodeName)) {
    throw new TunnelError("TLSB_ERR_PROXY_LOOP", `request already passed through ${context.nodeName}`);
  }
  const auth = context.auth;
  if (auth !== undefined) {
    state.bindings = {
      ...state.bindings,
      user: await authenticate(auth, request, addressKey(raw.remoteAddress), context.log.child(state.bindings)),
    };
  }
  // A rule limited to some proxy users (`users:`) does not match for anyone else.
  const match = context.rules.match(target.host, target.port, state.bindings.user as string | undefined);
  if (match === undefined) {
    context.log.child(state.bindings).info({ event: LOG_EVENTS.routeMiss, target: target.authority, site: context.site }, "no rule matches");
    throw new TunnelError("TLSB_ERR_NO_ROUTE", `no rule of site ${context.site} matches ${target.authority}`, {
      details: "no rule matches the target",
    });
  }
  const candidates = context.peerChoice.candidates(match.rule.peer);
  context.metrics.ruleHit(context.site, match.rule.index);
  const routedBindings = { ...state.bindings, site: context.site, target: target.authority, rule: match.rule.index };
  const slot = context.limiter.acquire(addressKey(raw.remoteAddress));
  if (!slot.ok) {
    throw new TunnelError("TLSB_ERR_TOO_MANY_TUNNELS", `tunnel limit reached (${slot.limit === "node" ? "node" : "client"}: ${slot.max})`, {
      details: slot.limit === "node" ? "too many tunnels on this node" : "too many tunnels from this client",
    });
  }
  state.releaseSlot = slot.release;

  const { peer, tunnel: connection } = await openPeerTunnelWithFailover(
    candidates,
    replayedRequest(request, state.bindings.tunnel as string, context.nodeName),
    earlyData,
    { links: () => context.peerLinks, limits: context.limits, onDialed: (dialed) => (state.upstream = dialed) },
    {
      unreachable: (peer) => context.peerChoice.markUnreachable(peer.name),
      reached: (peer) => context.peerChoice.markReached(peer.name),
      failover: (from, to, err) => context.log.child(routedBindings).warn({ event: LOG_EVENTS.peerFailover, peer: from.name, next: to.name, code: err.code, reason: err.message }, "peer of the group unreachable, trying the next"),
    },
  );
  const routed = context.log.child({ ...routedBindings, peer: peer.name });
  // Only the two sockets stay with the tunnel (not the response head or the leg's details).
  state.upstream = { socket: connection.socket, raw: connection.raw };
  if (state.aborted || client.destroyed) {
    // Shut down, or the client reset, while the peer answered: nothing to splice with (splice()
    // would wait for a 'close' the dead socket already emitted, and the tunnel would never end).
    connection.raw.resetAndDestroy();
    return undefined;
  }
  const { response, rest: tunnelStart } = connection;
  if (response.status !== 200) {
    const refusedCertificate = peerRefusedOurCertificate(peer.name, response);
    if (refusedCertificate !== undefined) {
      // The peer told us in HTTP that it refused our certificate (ingress-refusal.ts in the peer):
      // an auth event, like a refusal we see as a TLS alert, with what the peer's OpenSSL said.
      routed.warn({
        event: LOG_EVENTS.authDenied, code: refusedCertificate.code, status: response.status, reason: "certificate",
        peerSaid: refusedCertificate.cause, err: refusedCertificate,
      }, refusedCertificate.message);
      context.metrics.dialFailed(refusedCertificate.row.proxyStatus);
    } else {
      routed.info({ event: LOG_EVENTS.peerResponse, status: response.status }, "peer refused the tunnel");
    }
    context.metrics.tunnelRefused(response.status, "relayed");
    connection.socket.destroy();
    answerAndClose(client, formatRelayedResponse(response, context.nodeName, refusedCertificate));
    return undefined;
  }
  client.write(Buffer.concat([formatConnectEstablished(), tunnelStart]));
  routed.info({
    event: LOG_EVENTS.tunnelOpen,
    setupMs: round(performance.now() - started),
    peerTls: connection.leg,
  }, "tunnel open");
  context.metrics.tunnelOpened((performance.now() - started) / 1000);
  return routed;
}

/**
 * TLSB_ERR_PEER_CERT when the peer's own Proxy-Status member (the last one) says
 * tls_certificate_error: it refused our certificate and said why (`cause` holds its details). The
 * peer is one we authenticated, so its word is taken.
 */
function peerRefusedOurCertificate(peer: string, response: ResponseHead): TunnelError | undefined {
  const said = lastProxyStatusMember(headerValues(response.headers, "proxy-status"));
  if (said?.error !== "tls_certificate_error") return undefined;
  return new TunnelError("TLSB_ERR_PEER_CERT", `peer ${peer} refused our certificate: ${said.details ?? "no details"}`, {
    cause: said.details ?? "no details", details: `peer ${peer} refused the ingress certificate`,
  });
}

function replayedRequest(request: ConnectRequest, id: string, nodeName: string): ReplayedRequest {
  // The client's own Proxy-Authorization and hop headers stay here; Via lists every hop so far.
  const via = request.headers.filter(([name]) => name.toLowerCase() === "via").map(([, value]) => value);
  via.push(viaEntry(nodeName));
  return { target: request.target, headers: [["Via", via.join(", ")], [TUNNEL_ID_HEADER, id]] };
}

/** Reads the client's request head; the HeadReader and its chunks are garbage once it returns. */
async function readHead(client: net.Socket, limits: IngressLimits): Promise<HeadAndRest> {
  const reader = new HeadReader(limits.maxHeadBytes, "TLSB_ERR_HEAD_TOO_LARGE");
  return await readUntil(client, (chunk) => reader.push(chunk), limits.headTimeoutMs)
    .catch((err: unknown) => {
      throw err instanceof ReadUntilError && err.reason === "timeout"
        ? new TunnelError("TLSB_ERR_HEAD_TIMEOUT", "request head not received in time", { cause: err })
        : err;
    });
}

/**
 * Checks the client's credential: the user name (the caller binds it to the tunnel's log lines), or
 * a 407 refusal (logged here as auth.denied with the user name, never the header or the password).
 */
async function authenticate(auth: ProxyAuthenticator, request: ConnectRequest, client: string, log: Logger): Promise<string> {
  const outcome = await auth.check(headerValues(request.headers, "proxy-authorization"), client);
  if (outcome.ok) {
    log.child({ user: outcome.user }).debug({ event: LOG_EVENTS.authGranted, cached: outcome.cached }, "client authenticated");
    return outcome.user;
  }
  // No credential yet is how many clients start (they wait for the challenge): info, not warn. A
  // throttled address is logged once per window (report), not per attempt.
  const level = outcome.reason === "missing" || outcome.reason === "busy" ? "info" : "warn";
  if (outcome.report !== false) {
    log[level]({
      event: LOG_EVENTS.authDenied, reason: outcome.reason, target: request.target.authority,
      ...(outcome.user !== undefined ? { user: outcome.user } : {}),
    }, "proxy authentication failed");
  }
  if (outcome.reason === "busy") {
    throw new TunnelError("TLSB_ERR_AUTH_BUSY", "too many proxy logins being checked", { details: "too many logins being checked, retry" });
  }
  throw new TunnelError("TLSB_ERR_PROXY_AUTH", `proxy authentication failed (${outcome.reason})`, {
    details: outcome.reason === "missing" ? "proxy authentication required" : "proxy authentication failed",
  });
}

function refuse(client: net.Socket, err: unknown, context: ListenerContext, log: Logger): void {
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
  answerAndClose(client, formatErrorResponse(refusal, context.nodeName));
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
