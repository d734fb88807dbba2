// The peer's side of the multiplexed mode: an ingress that negotiated ALPN `tlsbridge/1` (or `h2`,
// from ingresses older than that id) on the shared mTLS listener gets an HTTP/2 session, and each
// CONNECT stream on it is one tunnel (h2-connect-stream.ts). Ingresses that offer no ALPN, or
// `http/1.1` (ATS), keep the one-connection-per-tunnel path.
import http2 from "node:http2";
import type net from "node:net";
import type tls from "node:tls";
import { H2_MAX_SESSION_MEMORY_MB, H2_SETTINGS, LinkLostError, logEvent, TLSBRIDGE_ALPN, widenConnectionWindow } from "@tlsbridge/transport";
import type { PeerContext } from "./peer-context.ts";
import { serveConnectStream } from "./h2-connect-stream.ts";
import type { IngressIdentity } from "./h2-connect-stream.ts";
import type { IngressCertificate } from "./ingress-certificate.ts";

/** ALPN protocols the peer's listener accepts, preferred first: our own id wins over `http/1.1`. */
export const PEER_ALPN_PROTOCOLS: readonly string[] = [TLSBRIDGE_ALPN, "h2", "http/1.1"];

/** Serves HTTP/2 sessions handed over by the TLS listener. */
export type H2Acceptor = {
  /** Serves an authenticated TLS connection that negotiated `h2` (`certificate`: what it presented). */
  readonly accept: (socket: tls.TLSSocket, raw: net.Socket, certificate: IngressCertificate) => void;
  /** Sessions open now. */
  readonly sessions: () => number;
  /** Sends GOAWAY on every session: open tunnels finish, no new ones start. */
  readonly close: () => void;
};

/** Creates the acceptor; one per peer. */
export function createH2Acceptor(context: PeerContext): H2Acceptor {
  const live = new Set<http2.ServerHttp2Session>();
  const identities = new WeakMap<http2.Http2Session, IngressIdentity>();
  let arriving: IngressIdentity | undefined;
  // Not listening anywhere: the TLS listener accepts, checks the client certificate, and hands
  // the socket over with `emit("connection")`.
  const server = http2.createServer({ settings: H2_SETTINGS, maxSessionMemory: H2_MAX_SESSION_MEMORY_MB });
  server.on("session", (session: http2.ServerHttp2Session) => {
    if (arriving !== undefined) identities.set(session, arriving);
    live.add(session);
    session.once("close", () => live.delete(session));
    session.on("error", (err) => logEvent(context.log, "debug", "request.rejected", { err }, "HTTP/2 session from an ingress failed"));
    // The ingress's FIN with no GOAWAY before it: the streams still open were lost, not finished
    // (Node would close them quietly and each service would read a clean end; issue 9).
    session.socket.once("end", () => {
      if (!session.destroyed) session.destroy(session.closed ? undefined : new LinkLostError("the ingress closed the HTTP/2 connection without GOAWAY"));
    });
    // Nothing at all on the session (no tunnel, no PING) for the idle timeout: close it.
    session.setTimeout(context.limits.idleTimeoutMs, () => session.close());
    widenConnectionWindow(session);
  });
  server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    const identity = identities.get(stream.session as http2.Http2Session);
    if (identity === undefined) {
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    void serveConnectStream(stream, headers, identity, context);
  });
  return {
    accept: (socket, raw, certificate) => {
      const cn = certificate.cn;
      const identity: IngressIdentity = {
        remote: `${raw.remoteAddress}:${raw.remotePort}`,
        name: Array.isArray(cn) ? cn.join(",") : cn,
        fingerprint256: certificate.fingerprint256,
        names: certificate.names,
        resumed: socket.isSessionReused(),
      };
      arriving = identity;
      logEvent(context.log, "debug", "auth.granted", { remote: identity.remote, ingress: identity.name,
        fingerprint256: identity.fingerprint256, mode: "h2", resumed: identity.resumed }, "ingress authenticated");
      try {
        server.emit("connection", socket);
      } finally {
        arriving = undefined;
      }
    },
    sessions: () => live.size,
    close: () => {
      for (const session of live) session.close();
    },
  };
}
