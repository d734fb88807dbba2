// Opens the peer leg with the first candidate that can be dialed. Only a failure to dial (nothing
// was sent yet) moves on to the next peer of a group: once the CONNECT and any early data have gone
// to a peer, trying another could deliver the client's bytes twice, so that failure is the answer.
import { DialError } from "@tlsbridge/transport";
import { isTunnelError } from "@tlsbridge/wire";
import type { TunnelError } from "@tlsbridge/wire";
import type { PeerEndpoint } from "./ingress-options.ts";
import { openPeerTunnel } from "./peer-tunnel.ts";
import type { PeerTunnel, PeerTunnelOptions, ReplayedRequest } from "./peer-tunnel.ts";

/** What the caller is told about candidates that could not be dialed. */
export type FailoverHooks = {
  /** Every candidate whose dial failed, the last one included. */
  readonly unreachable: (peer: PeerEndpoint) => void;
  /** The candidate that answered (a 200 or a refusal: either way it was reached). */
  readonly reached: (peer: PeerEndpoint) => void;
  /** A candidate could not be dialed and `to` is tried next. */
  readonly failover: (from: PeerEndpoint, to: PeerEndpoint, err: TunnelError) => void;
};

/** Tries `candidates` in order; throws the last candidate's TunnelError (or the first non-dial one). */
export async function openPeerTunnelWithFailover(
  candidates: readonly PeerEndpoint[],
  request: ReplayedRequest,
  earlyData: Buffer,
  options: PeerTunnelOptions,
  hooks: FailoverHooks,
): Promise<{ readonly peer: PeerEndpoint; readonly tunnel: PeerTunnel }> {
  for (let i = 0; ; i++) {
    const peer = candidates[i];
    if (peer === undefined) throw new Error("no peer to try");
    try {
      const tunnel = await openPeerTunnel(peer, request, earlyData, options);
      hooks.reached(peer);
      return { peer, tunnel };
    } catch (err) {
      if (!isTunnelError(err) || !(err.cause instanceof DialError)) throw err;
      hooks.unreachable(peer);
      const next = candidates[i + 1];
      if (next === undefined) throw err;
      hooks.failover(peer, next, err);
    }
  }
}
