// One health probe of a peer: the TCP connect (through its corporate proxy, when `via:`), the full
// mTLS handshake, and a short wait to see the peer accept our certificate; then closed (the peer logs
// it at debug as a client that left before a request). Shared by the readiness probe (runtime) and
// the routing health of peer groups (peer-health-probe.ts).
import type tls from "node:tls";
import type { Duplex } from "node:stream";
import { dialPeer } from "./dial-peer.ts";
import type { PeerEndpoint } from "./ingress-options.ts";

/**
 * With TLS 1.3 our handshake completes before the peer has checked our certificate; a peer that
 * refuses it (another CA, a name it does not pin) closes the connection right after. A probe that
 * stopped at the handshake would call such a peer healthy, so it waits this long for that close.
 */
export const REFUSAL_WINDOW_MS = 300;

/** Resolves when the peer passed; rejects with why it failed (a DialError, a TunnelError of its proxy, or an Error). */
export async function probePeer(peer: PeerEndpoint, options: { readonly secureContext: tls.SecureContext; readonly timeoutMs: number; readonly maxHeadBytes: number }): Promise<void> {
  const connection = await dialPeer(peer, options);
  const refused = await closesWithin(connection.socket, REFUSAL_WINDOW_MS);
  connection.socket.destroy();
  if (refused) {
    throw new Error("the peer closed the connection right after the handshake: it refused this ingress's certificate (see its auth.denied log)");
  }
}

/** True when `socket` ends or closes within `ms` (it is read meanwhile; any data is dropped). */
function closesWithin(socket: Duplex, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      socket.off("end", onClose);
      socket.off("close", onClose);
      socket.off("error", onClose);
      resolve(closed);
    };
    const onClose = (): void => done(true);
    const timer = setTimeout(() => done(false), ms);
    socket.once("end", onClose);
    socket.once("close", onClose);
    socket.once("error", onClose);
    socket.resume();
  });
}
