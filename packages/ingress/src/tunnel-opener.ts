// The one tunnel path every front door shares, from a client's request to an open peer leg:
//
//   door.readRequest (auth on the way) ─▶ route (403 on miss) ─▶ limits ─▶ peer links ─▶ failover
//     ─▶ replay CONNECT (+ early data) ─▶ peer's response head
//     ─▶ 200: door.answerOpen │ other: door.answerRelayed with our Proxy-Status member
//
// It knows nothing of the door's protocol: requests come in, answers go out through the door.
import type net from "node:net";
import type { Logger } from "pino";
import type { RuleSet } from "@tlsbridge/rules";
import { addressKey, logEvent } from "@tlsbridge/transport";
import type { ConnectionRegistry, SpliceEnd, TunnelLimiter, TunnelMetrics, TunnelPlace, TunnelStatus } from "@tlsbridge/transport";
import { headerValues, lastProxyStatusMember, TUNNEL_ID_HEADER, TunnelError, viaEntry } from "@tlsbridge/wire";
import type { ResponseHead } from "@tlsbridge/wire";
import type { AccessFacts } from "./access-line.ts";
import type { ClientRequest, FrontDoor } from "./front-door.ts";
import { forwardedFor } from "./forwarded-client.ts";
import type { IngressLimits, ListenerProtocol } from "./ingress-options.ts";
import type { PeerChoice } from "./peer-choice.ts";
import { openPeerTunnelWithFailover } from "./peer-failover.ts";
import type { PeerLinks } from "./peer-links.ts";
import type { ReplayedRequest } from "./peer-tunnel.ts";
import { roundMs } from "./round-ms.ts";
import type { ProxyAuthenticator } from "./proxy-auth.ts";

/** What every connection of one listener shares. */
export type ListenerContext = {
  readonly nodeName: string;
  readonly site: string;
  /** What the listener speaks to its clients. */
  readonly protocol: ListenerProtocol;
  /** SNI listeners: the port a routed name is dialed on. */
  readonly targetPort: number;
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
  /** Open tunnels and recent refusals for the status page (the runtime's board, or NO_STATUS). */
  readonly status: TunnelStatus;
  /** The listener's proxy authentication (`auth: { users }`); undefined: none. */
  readonly auth: ProxyAuthenticator | undefined;
};

/** What the abort hook and the refusal path of one connection need while the tunnel is set up. */
export type ClientState = {
  bindings: Record<string, unknown>;
  upstream: SpliceEnd | undefined;
  aborted: boolean;
  releaseSlot: () => void;
  /** Bytes the client sent after its request, replayed to the peer before the splice (counted in bytesUp). */
  earlyDataBytes: number;
  /** What the attempt's access line will say (access-line.ts). */
  access: AccessFacts;
  /** Where the tunnel runs, once open (told to the status board when it closes). */
  opened?: TunnelPlace;
};

/**
 * Reads the client's request through its door, routes it, opens the peer leg and answers the client:
 * the tunnel's logger once it is open and `state.upstream` is the peer leg to splice, or undefined
 * when the peer refused (relayed here) or the tunnel was cut meanwhile. Throws TunnelError.
 */
export async function openTunnel(
  client: net.Socket,
  raw: net.Socket,
  door: FrontDoor,
  context: ListenerContext,
  state: ClientState,
  started: number,
): Promise<Logger | undefined> {
  const auth = context.auth;
  const clientKey = addressKey(raw.remoteAddress);
  const request = await door.readRequest({
    limits: context.limits,
    nodeName: context.nodeName,
    authenticate: auth === undefined ? undefined : async (credentials, target) => {
      state.access.target = target;
      const user = await authenticate(auth, credentials, target, clientKey, context.log.child(state.bindings), context.metrics);
      state.bindings = { ...state.bindings, user };
    },
  });
  const target = request.target;
  state.access.target = target.authority;
  // A rule limited to some proxy users (`users:`) does not match for anyone else.
  const match = context.rules.match(target.host, target.port, state.bindings.user as string | undefined);
  if (match === undefined) {
    logEvent(context.log.child(state.bindings), "info", "route.miss", { target: target.authority }, "no rule matches"); // `site`: the listener's logger
    throw new TunnelError("TLSB_ERR_NO_ROUTE", `no rule of site ${context.site} matches ${target.authority}`, {
      details: "no rule matches the target",
    });
  }
  state.access.rule = match.rule.index;
  state.access.peer = match.rule.peer; // the member that carries the tunnel, once one does
  const candidates = context.peerChoice.candidates(match.rule.peer);
  context.metrics.ruleHit(context.site, match.rule.index);
  const routedBindings = { ...state.bindings, target: target.authority, rule: match.rule.index }; // `site` is the listener logger's
  logEvent(context.log.child(routedBindings), "debug", "route.match", { peer: match.rule.peer }, "rule matched");
  const slot = context.limiter.acquire(clientKey);
  if (!slot.ok) {
    throw new TunnelError("TLSB_ERR_TOO_MANY_TUNNELS", `tunnel limit reached (${slot.limit === "node" ? "node" : "client"}: ${slot.max})`, {
      details: slot.limit === "node" ? "too many tunnels on this node" : "too many tunnels from this client",
    });
  }
  state.releaseSlot = slot.release;

  const { peer, tunnel: connection } = await openPeerTunnelWithFailover(
    candidates,
    replayedRequest(request, state.bindings.tunnel as string, context.nodeName, forwardedFor(raw, state.bindings.user as string | undefined)),
    request.earlyData,
    { links: () => context.peerLinks, limits: context.limits, onDialed: (dialed) => (state.upstream = dialed) },
    {
      unreachable: (peer) => context.peerChoice.markUnreachable(peer.name),
      reached: (peer) => context.peerChoice.markReached(peer.name),
      failover: (from, to, err) => logEvent(context.log.child(routedBindings), "warn", "peer.failover", { peer: from.name, next: to.name, code: err.code, reason: err.message }, "peer of the group unreachable, trying the next"),
    },
  );
  const routed = context.log.child({ ...routedBindings, peer: peer.name });
  state.access.peer = peer.name;
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
      logEvent(routed, "warn", "auth.denied", { code: refusedCertificate.code, status: response.status, reason: "certificate",
        peerSaid: String(refusedCertificate.cause), err: refusedCertificate,
      }, refusedCertificate.message);
      context.metrics.dialFailed(refusedCertificate.row.proxyStatus);
    } else {
      logEvent(routed, "info", "peer.response", { status: response.status }, "peer refused the tunnel");
    }
    context.metrics.tunnelRefused(response.status, "relayed");
    state.access.status = response.status;
    state.access.error = lastProxyStatusMember(headerValues(response.headers, "proxy-status"))?.error;
    // The peer's own code stays at the peer (its /status lists it); here the cause is `relayed`, as in the metrics.
    context.status.tunnelRefused({
      code: refusedCertificate?.code ?? "relayed", status: response.status, target: target.authority,
      client: state.bindings.client as string, reason: refusedCertificate?.message ?? peerRefusal(peer.name, response),
    });
    connection.socket.destroy();
    door.answerRelayed(response, context.nodeName, refusedCertificate);
    return undefined;
  }
  door.answerOpen(tunnelStart);
  state.earlyDataBytes = request.earlyData.length;
  state.access.status = 200;
  state.access.setupMs = roundMs(performance.now() - started);
  logEvent(routed, "info", "tunnel.open", {
    setupMs: state.access.setupMs,
    peerTls: connection.leg,
  }, "tunnel open");
  context.metrics.tunnelOpened((performance.now() - started) / 1000);
  state.opened = { site: context.site, peer: peer.name };
  context.status.tunnelOpened(state.opened);
  return routed;
}

/** What a peer's refusal says: its status and its own Proxy-Status member's error and details. */
function peerRefusal(peer: string, response: ResponseHead): string {
  const said = lastProxyStatusMember(headerValues(response.headers, "proxy-status"));
  const why = said === undefined ? "" : `: ${said.error ?? "no error type"}${said.details !== undefined ? ` (${said.details})` : ""}`;
  return `peer ${peer} answered ${response.status}${why}`;
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

function replayedRequest(request: ClientRequest, id: string, nodeName: string, forwarded: string): ReplayedRequest {
  // The client's own credentials, Forwarded and hop headers stay here; Via lists every hop so far;
  // Forwarded is only ours (forwarded-client.ts), whichever door the client came through.
  const via = [...request.via, viaEntry(nodeName)];
  return { target: request.target, headers: [["Via", via.join(", ")], [TUNNEL_ID_HEADER, id], ["Forwarded", forwarded]] };
}

/**
 * Checks the client's credential: the user name (the caller binds it to the tunnel's log lines), or
 * a 407 refusal (logged here as auth.denied with the user name, never the header or the password,
 * and counted by reason).
 */
async function authenticate(
  auth: ProxyAuthenticator, credentials: readonly string[], target: string | undefined, client: string, log: Logger, metrics: TunnelMetrics,
): Promise<string> {
  const outcome = await auth.check(credentials, client);
  if (outcome.ok) {
    logEvent(log.child({ user: outcome.user }), "debug", "auth.granted", { cached: outcome.cached }, "client authenticated");
    return outcome.user;
  }
  metrics.proxyAuthRefused(outcome.reason);
  const targetField = target !== undefined ? { target } : {};
  if (outcome.reason === "throttled") {
    // The first refusal of an address's window is the news (warn); the rest are logged at info, so
    // an operator sees the attempts go on without a warning per attempt (issue 15).
    const details = `too many failed logins, retry in ${outcome.retryAfterS} s`;
    logEvent(log, outcome.report ? "warn" : "info", "auth.denied", { reason: outcome.reason, ...targetField, retryAfterS: outcome.retryAfterS }, details);
    throw new TunnelError("TLSB_ERR_PROXY_AUTH", "proxy authentication throttled", { details });
  }
  // No credential yet is how many clients start (they wait for the challenge): info, not warn.
  const level = outcome.reason === "missing" || outcome.reason === "busy" ? "info" : "warn";
  logEvent(log, level, "auth.denied", {
    reason: outcome.reason, ...targetField,
    ...(outcome.user !== undefined ? { user: outcome.user } : {}),
  }, "proxy authentication failed");
  if (outcome.reason === "busy") {
    throw new TunnelError("TLSB_ERR_AUTH_BUSY", "too many proxy logins being checked", { details: "too many logins being checked, retry" });
  }
  throw new TunnelError("TLSB_ERR_PROXY_AUTH", `proxy authentication failed (${outcome.reason})`, {
    details: outcome.reason === "missing" ? "proxy authentication required" : "proxy authentication failed",
  });
}
