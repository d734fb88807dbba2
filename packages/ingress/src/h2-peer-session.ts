// The multiplexed mode's peer leg: one mTLS connection per peer speaking HTTP/2 (ALPN `tlsbridge/1`,
// or `h2` when the config names mode h2: alpn-ids.ts), each
// tunnel a classic CONNECT stream on it (RFC 9113 §8.5: `:method CONNECT` and `:authority`, no
// `:scheme` or `:path`). The connection is opened on first use, shared by every tunnel, and opened
// again after the peer closes it or sends GOAWAY.
//
//   ingress                                   peer
//   HEADERS :method CONNECT :authority ──▶    allow list, DNS, dial
//   DATA (early data, then the tunnel)  ──▶
//                                       ◀──   HEADERS :status 200 (or 4xx/5xx + proxy-status, END_STREAM)
//   END_STREAM = FIN, RST_STREAM(CONNECT_ERROR) = TCP RST, both ways
import http2 from "node:http2";
import { STATUS_CODES } from "node:http";
import type { Logger } from "pino";
import {
  DialError, isLinkLost, LinkLostError, logEvent, H2_MAX_SESSION_MEMORY_MB, H2_SETTINGS, h2HeaderList, h2StreamEnd, treatConnectErrorAsReset, widenConnectionWindow,
} from "@tlsbridge/transport";
import type { SpliceEnd, TlsConnection } from "@tlsbridge/transport";
import { TunnelError } from "@tlsbridge/wire";
import type { HeaderList, ResponseHead } from "@tlsbridge/wire";
import type { PeerEndpoint } from "./ingress-options.ts";
import { peerDialError } from "./peer-failure.ts";

/** A CONNECT stream the peer answered. */
export type H2PeerStream = SpliceEnd & { readonly response: ResponseHead; readonly stream: http2.ClientHttp2Stream };

/**
 * HTTP/2 connections one peer gets at most. Tunnels spread over them, so a TCP connection that stalls
 * (a lost segment on a WAN) holds up only its share of the tunnels (issue 13).
 */
export const H2_MAX_CONNECTIONS_PER_PEER = 4;

/** One of a peer's HTTP/2 connections and the tunnels it carries now. */
type SharedConnection = {
  readonly session: Promise<http2.ClientHttp2Session>;
  /** Set once the connection is up. */
  ready: http2.ClientHttp2Session | undefined;
  streams: number;
};

/**
 * One peer's shared HTTP/2 connections: the first opened by the first tunnel; while every connection
 * that is up carries a tunnel, another is opened in the background for later tunnels, up to
 * {@link H2_MAX_CONNECTIONS_PER_PEER}. A tunnel takes the connection carrying the fewest.
 */
export class H2PeerSession {
  readonly #peer: PeerEndpoint;
  readonly #dial: (alpnProtocols: readonly string[]) => Promise<TlsConnection>;
  readonly #offered: readonly string[];
  readonly #log: Logger;
  #shared: SharedConnection[] = [];
  #closed = false;
  /** Connections opened so far (1 while the peer keeps it up). */
  connections = 0;
  /** Told when the peer answers a new connection without HTTP/2 (mode auto asks it again: peer-mode.ts). */
  onRefused: () => void = () => {};

  /** `offered`: the ALPN ids to offer, each of which the peer may answer to mean HTTP/2 CONNECT streams. */
  constructor(peer: PeerEndpoint, dial: (alpnProtocols: readonly string[]) => Promise<TlsConnection>, offered: readonly string[], log: Logger) {
    this.#peer = peer;
    this.#dial = dial;
    this.#offered = offered;
    this.#log = log;
  }

  /**
   * Takes a connection that already negotiated HTTP/2 (the dial that asked the peer which mode it
   * speaks) as the shared connection; closes it when one is already up.
   */
  adopt(connection: TlsConnection): void {
    if (this.#shared.length >= H2_MAX_CONNECTIONS_PER_PEER || this.#closed) {
      connection.socket.destroy();
      return;
    }
    this.#connect(connection);
  }

  /**
   * Opens a CONNECT stream for `authority` with `headers` (lowercase names), sends `earlyData`, and
   * waits for the peer's response head. `onStream` gets the stream as soon as it exists (so the
   * caller can abort it). A stream the peer did not process (refused, or sent on a connection that
   * was closing) is sent once more, on another connection. Throws TunnelError.
   */
  async open(
    authority: string,
    headers: HeaderList,
    earlyData: Buffer,
    responseTimeoutMs: number,
    onStream: (end: SpliceEnd) => void,
  ): Promise<H2PeerStream> {
    const attempt = (): Promise<H2PeerStream> => this.#openStream(authority, headers, earlyData, responseTimeoutMs, onStream);
    try {
      return await attempt();
    } catch (err) {
      // RFC 9113 §8.7: the peer never processed it (a peer shutting down refuses the streams its
      // GOAWAY does not cover; a busy one may reset a stream with REFUSED_STREAM), so no service
      // saw it: safe to send again. After a GOAWAY the refusing connection has left the list.
      if (!(err instanceof StreamNotProcessed)) throw err;
      return await attempt().catch((again: unknown) => {
        throw again instanceof StreamNotProcessed ? again.error : again;
      });
    }
  }

  async #openStream(
    authority: string,
    headers: HeaderList,
    earlyData: Buffer,
    responseTimeoutMs: number,
    onStream: (end: SpliceEnd) => void,
  ): Promise<H2PeerStream> {
    const shared = await this.#least();
    const session = await shared.session;
    const request: http2.OutgoingHttpHeaders = { ":method": "CONNECT", ":authority": authority };
    for (const [name, value] of headers) request[name.toLowerCase()] = value;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(request, { endStream: false });
    } catch (err) {
      throw new StreamNotProcessed(new TunnelError("TLSB_ERR_PEER_UNREACHABLE", `peer ${this.#peer.name}: cannot open a stream`, {
        cause: err, details: `peer ${this.#peer.name}: the HTTP/2 connection is closing`,
      }));
    }
    shared.streams += 1;
    stream.once("close", () => (shared.streams -= 1));
    treatConnectErrorAsReset(stream);
    const end = h2StreamEnd(stream);
    onStream(end);
    if (earlyData.length > 0) stream.write(earlyData);
    const responseHeaders = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      const fail = (err?: Error): void => {
        clearTimeout(timer);
        stream.destroy();
        // Code 0 (NO_ERROR), or the link lost, with no answer: the whole connection went away, as when
        // the peer refuses our certificate after the handshake; say so as the HTTP/1.1 path does.
        const details = isLinkLost(err) || stream.rstCode === undefined || stream.rstCode === http2.constants.NGHTTP2_NO_ERROR
          ? `peer ${this.#peer.name} closed the connection without a response (did it refuse this ingress's certificate?)`
          : `peer ${this.#peer.name} reset the CONNECT stream (code ${stream.rstCode})`;
        const error = new TunnelError("TLSB_ERR_PEER_RESPONSE", `peer ${this.#peer.name} closed the stream before answering`, {
          cause: err, details,
        });
        reject(stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM ? new StreamNotProcessed(error) : error);
      };
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        checkAlive(session);
        reject(new TunnelError("TLSB_ERR_CONNECT_TIMEOUT", `peer ${this.#peer.name} did not answer the CONNECT in time`, {
          details: `peer ${this.#peer.name} did not answer in time`,
        }));
      }, responseTimeoutMs);
      stream.once("response", (h) => {
        clearTimeout(timer);
        stream.off("error", fail);
        stream.off("close", fail);
        resolve(h);
      });
      stream.once("error", fail);
      stream.once("close", fail);
    });
    return { ...end, stream, response: responseHead(responseHeaders) };
  }

  /** Closes the connections (GOAWAY, open tunnels finish) and stops reopening them. */
  close(): void {
    this.#closed = true;
    for (const shared of this.#shared) void shared.session.then((s) => s.close(), () => {});
  }

  /** The connection for the next tunnel: the one up carrying the fewest, else the first being opened. */
  async #least(): Promise<SharedConnection> {
    if (this.#closed) throw new TunnelError("TLSB_ERR_PEER_UNREACHABLE", "ingress is shutting down");
    const up = this.#shared.filter((s) => s.ready !== undefined && !s.ready.closed && !s.ready.destroyed);
    const opening = this.#shared.find((s) => s.ready === undefined);
    if (up.length === 0) return opening ?? this.#connect();
    const least = up.reduce((a, b) => (b.streams < a.streams ? b : a));
    if (least.streams > 0 && opening === undefined && this.#shared.length < H2_MAX_CONNECTIONS_PER_PEER) {
      // For the tunnels after this one; a failure is seen by the tunnel that next needs it.
      this.#connect().session.catch(() => {});
    }
    return least;
  }

  #connect(negotiated?: TlsConnection): SharedConnection {
    // The entry leaves the list when its connection fails, closes or is told GOAWAY.
    const forget = (): void => {
      this.#shared = this.#shared.filter((s) => s !== shared);
    };
    const attempt = (async () => {
      const { socket } = negotiated ?? await this.#dial(this.#offered).catch((err: unknown) => {
        throw err instanceof DialError ? peerDialError(this.#peer.name, err) : err;
      });
      if (typeof socket.alpnProtocol !== "string" || !this.#offered.includes(socket.alpnProtocol)) {
        socket.destroy();
        this.onRefused();
        throw new TunnelError("TLSB_ERR_PEER_TLS", `peer ${this.#peer.name} does not speak HTTP/2`, {
          details: `peer ${this.#peer.name} did not accept ALPN ${this.#offered.join(" or ")} (set mode: h1 for it)`,
        });
      }
      const session = http2.connect(`https://${this.#peer.servername}:${this.#peer.port}`, {
        createConnection: () => socket,
        settings: H2_SETTINGS,
        maxSessionMemory: H2_MAX_SESSION_MEMORY_MB,
      });
      this.connections += 1;
      // A peer that refuses our certificate hangs up right after the handshake (see tls-listener.ts).
      // Our TLS socket allows half-open connections, so that arrives as a bare `end` the session
      // never acts on; every stream would wait out the response timeout instead of failing at once.
      // HTTP/2 has no use for a half-closed connection: the peer's FIN ends the session. Without a
      // GOAWAY before it, the streams still open were lost, not finished: Node would close them
      // quietly and every client would read a clean end (issue 9), so they end with an error.
      if (socket.destroyed || socket.readableEnded) session.destroy();
      else socket.once("end", () => session.destroy(session.closed ? undefined : new LinkLostError("the peer closed the HTTP/2 connection without GOAWAY")));
      session.on("error", (err) => logEvent(this.#log, "info", "peer.h2.error", { err }, "HTTP/2 connection to the peer failed"));
      session.once("goaway", forget);
      session.once("close", forget);
      session.once("connect", () => widenConnectionWindow(session));
      return session;
    })();
    const shared: SharedConnection = { session: attempt, ready: undefined, streams: 0 };
    this.#shared.push(shared);
    attempt.then((session) => (shared.ready = session), forget);
    return shared;
  }
}

/** A stream the peer did not process; `error` is what the tunnel reports when sending it again fails the same way. */
class StreamNotProcessed extends Error {
  readonly error: TunnelError;

  constructor(error: TunnelError) {
    super(error.message, { cause: error });
    this.error = error;
  }
}

/** How long a PING on a session suspected dead may go unanswered before the session is dropped. */
const PING_TIMEOUT_MS = 2_000;

/**
 * A CONNECT that got no answer may mean the peer is slow to dial its service, or that the network
 * silently lost the shared connection, which would then fail every tunnel the same way until TCP
 * gives up. A PING tells them apart: unanswered, the session is dropped and the next tunnel redials.
 */
function checkAlive(session: http2.ClientHttp2Session): void {
  if (session.destroyed || session.closed) return;
  // The streams still open on a dropped session were lost: they end with an error, not a clean end.
  const lost = (): void => session.destroy(new LinkLostError("the peer did not answer a PING on the HTTP/2 connection"));
  const timer = setTimeout(lost, PING_TIMEOUT_MS);
  const sent = session.ping((err) => {
    clearTimeout(timer);
    if (err !== null) lost();
  });
  if (!sent) clearTimeout(timer); // a PING already in flight will decide
}

/** The peer's answer as the ResponseHead the HTTP/1.1 path produces (pseudo-headers left out). */
function responseHead(headers: http2.IncomingHttpHeaders): ResponseHead {
  const status = Number(headers[":status"]);
  return { status, reason: STATUS_CODES[status] ?? "", headers: h2HeaderList(headers) };
}
