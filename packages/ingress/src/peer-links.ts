// Everything the ingress keeps per peer between tunnels: TLS session tickets (resumption), the mode
// (named, or learned at the first handshake), the warm pool (mode h1) and the shared HTTP/2
// connection (mode h2). Made once per ingress, closed on shutdown.
import type tls from "node:tls";
import type { Logger } from "pino";
import { DIAL_FAILURES, DialError, H2_MODE_ALPN, logEvent, TLSBRIDGE_ALPN } from "@tlsbridge/transport";
import type { TlsConnection } from "@tlsbridge/transport";
import { dialPeer } from "./dial-peer.ts";
import { H2PeerSession } from "./h2-peer-session.ts";
import type { IngressLimits, PeerEndpoint } from "./ingress-options.ts";
import { PeerMode } from "./peer-mode.ts";
import { PeerPool } from "./peer-pool.ts";
import { SESSION_MAX_AGE_MS, SessionCache } from "./session-cache.ts";

/** What the ingress keeps for one peer. */
export type PeerLink = {
  readonly peer: PeerEndpoint;
  readonly sessions: SessionCache;
  /** The mode tunnels to this peer are opened in. */
  readonly mode: PeerMode;
  /** Mode h1 or auto with `pool.size > 0`; filled once the mode is h1. */
  readonly pool: PeerPool | undefined;
  /** Mode h2 or auto. */
  readonly h2: H2PeerSession | undefined;
  /** A new mTLS connection to the peer, resuming a TLS session when one is cached. */
  readonly dial: (alpnProtocols?: readonly string[]) => Promise<TlsConnection>;
  /** Handshakes made / resumed / resumptions the peer refused where a full handshake then worked (for logs and tests). */
  readonly counts: { handshakes: number; resumed: number; ticketsRefused: number };
};

/** The per-peer state of one ingress. */
export class PeerLinks {
  readonly #links = new Map<string, PeerLink>();

  /** `onHandshake` is told each completed dial (TCP connect plus TLS handshake), for the metrics. */
  constructor(
    peers: ReadonlyMap<string, PeerEndpoint>,
    secureContext: tls.SecureContext,
    limits: IngressLimits,
    log: Logger,
    onHandshake: (peer: string, seconds: number, resumed: boolean) => void = () => {},
  ) {
    for (const peer of peers.values()) {
      const sessions = new SessionCache();
      const counts = { handshakes: 0, resumed: 0, ticketsRefused: 0 };
      const peerLog = log.child({ peer: peer.name });
      const dialOnce = async (session: Buffer | undefined, alpnProtocols?: readonly string[]): Promise<TlsConnection> => {
        const began = performance.now();
        const connection = await dialPeer(peer, {
          secureContext,
          timeoutMs: limits.peerConnectTimeoutMs,
          maxHeadBytes: limits.maxHeadBytes,
          ...(session !== undefined ? { session } : {}),
          ...(alpnProtocols !== undefined ? { alpnProtocols } : {}),
        });
        counts.handshakes += 1;
        if (connection.socket.isSessionReused()) counts.resumed += 1;
        onHandshake(peer.name, (performance.now() - began) / 1000, connection.socket.isSessionReused());
        // TLS 1.3 tickets arrive after the handshake, while the connection is read.
        connection.socket.on("session", (ticket: Buffer) => sessions.add(ticket));
        return connection;
      };
      // A handshake that offered a ticket and failed in TLS is retried once without one: a peer
      // that refuses resumption (squid 5.7 answers it with an internal_error alert) must cost a
      // round trip, not the tunnel (issue 9). When the full handshake works, the cache offers that
      // peer no tickets for a while, and that is told once per peer.
      const dial = async (alpnProtocols?: readonly string[]): Promise<TlsConnection> => {
        const session = sessions.take();
        try {
          return await dialOnce(session, alpnProtocols);
        } catch (err) {
          if (session === undefined || !failedInTls(err)) throw err;
          // Throws the retry's own error when the full handshake fails too: then the ticket was
          // not the cause (the peer is going down, or refuses us), and nothing is said about it.
          const connection = await dialOnce(undefined, alpnProtocols);
          sessions.refuse();
          counts.ticketsRefused += 1;
          if (counts.ticketsRefused === 1) {
            logEvent(peerLog, "warn", "peer.ticket.refused", { err, ticketsOffAfterMs: SESSION_MAX_AGE_MS },
              "the peer refused to resume a TLS session but accepted a full handshake; offering it no tickets for a while");
          }
          return connection;
        }
      };
      // Mode auto names neither: the peer's ALPN answer decides (peer-mode.ts).
      const fixed = peer.mode === "auto" ? undefined : peer.mode ?? "h1";
      const poolSize = peer.pool?.size ?? 0;
      const pool = fixed !== "h2" && poolSize > 0 && peer.pool !== undefined ? new PeerPool(() => dial(), peer.pool, peerLog) : undefined;
      const h2 = fixed !== "h1" ? new H2PeerSession(peer, dial, fixed === "h2" ? H2_MODE_ALPN : [TLSBRIDGE_ALPN], peerLog) : undefined;
      const mode = new PeerMode(fixed, dial, h2, () => pool?.start());
      this.#links.set(peer.name, { peer, sessions, mode, pool, h2, dial, counts });
    }
  }

  /** Starts filling the warm pools of peers in mode h1 (an auto peer's, once it answered h1). */
  start(): void {
    for (const link of this.#links.values()) if (link.mode.current === "h1") link.pool?.start();
  }

  /** Whether `name` is a configured peer. */
  has(name: string): boolean {
    return this.#links.has(name);
  }

  /** The link of a configured peer. */
  get(name: string): PeerLink {
    const link = this.#links.get(name);
    if (link === undefined) throw new Error(`unknown peer ${name}`);
    return link;
  }

  /** Closes pooled and shared connections; tunnels already open are not touched. */
  close(): void {
    for (const link of this.#links.values()) {
      link.pool?.close();
      link.h2?.close();
    }
  }
}

/** A dial that got as far as TLS and failed there (not a refused or timed-out TCP connect). */
function failedInTls(err: unknown): boolean {
  return err instanceof DialError && (err.reason === DIAL_FAILURES.tlsProtocol || err.reason === DIAL_FAILURES.tlsCertificate);
}
