// Tells an ingress whose certificate this peer refused (another CA, expired, wrong purpose, not a
// pinned name) why, over the connection whose TLS handshake just completed, then closes it. With
// TLS 1.3 the server checks the client's certificate only after the client's Finished, and we check
// `authorized` ourselves after that, so no TLS alert could carry the reason; an HTTP answer can
// (issue 9): 502 with `Proxy-Status: <peer>; error=tls_certificate_error; details="..."`. It is sent
// at once, before any request arrives, so a readiness probe that sends nothing sees it too; in mode
// h2 every CONNECT stream gets it as its response and the session is closed (GOAWAY) after the first.
import http2 from "node:http2";
import type net from "node:net";
import type tls from "node:tls";
import { answerAndClose, DEFAULT_LINGER_MS, H2_SETTINGS, isMultiplexedAlpn } from "@tlsbridge/transport";
import { ERRORS, formatErrorResponse, proxyStatusEntry, TunnelError } from "@tlsbridge/wire";

/** Answers refused ingresses; one per peer. */
export type IngressRefusal = {
  /** Answers `socket` (its handshake done, its certificate refused for `why`) and closes it. */
  readonly refuse: (socket: tls.TLSSocket, raw: net.Socket, why: string) => void;
  /** Destroys the HTTP/2 sessions still answering. */
  readonly close: () => void;
};

/** Creates the refusal answerer of a peer named by `nodeName()` (read per refusal: reloads). */
export function createIngressRefusal(nodeName: () => string): IngressRefusal {
  const live = new Set<http2.ServerHttp2Session>();
  const reasons = new WeakMap<http2.Http2Session, string>();
  let arriving: string | undefined;
  // Not listening anywhere: refused sockets that negotiated HTTP/2 are handed over with emit("connection").
  const server = http2.createServer({ settings: H2_SETTINGS });
  server.on("session", (session: http2.ServerHttp2Session) => {
    if (arriving !== undefined) reasons.set(session, arriving);
    live.add(session);
    session.once("close", () => live.delete(session));
    session.on("error", () => session.destroy());
    // A deadline, not an idle timeout: an unauthenticated client must not keep this session by
    // sending PINGs. An ingress that opens no stream (a probe) is not waited for either.
    const deadline = setTimeout(() => session.destroy(), DEFAULT_LINGER_MS);
    deadline.unref();
    session.once("close", () => clearTimeout(deadline));
  });
  server.on("stream", (stream: http2.ServerHttp2Stream) => {
    stream.on("error", () => {});
    const why = reasons.get(stream.session as http2.Http2Session) ?? "refused";
    stream.respond({ ":status": ERRORS.TLSB_ERR_INGRESS_CERT.status, "proxy-status": proxyStatusEntry(nodeName(), ERRORS.TLSB_ERR_INGRESS_CERT.proxyStatus, { details: details(why) }) }, { endStream: true });
    stream.session?.close();
  });
  return {
    refuse: (socket, raw, why) => {
      raw.on("error", () => {});
      if (isMultiplexedAlpn(socket.alpnProtocol)) {
        arriving = why;
        try {
          server.emit("connection", socket);
        } finally {
          arriving = undefined;
        }
        return;
      }
      const err = new TunnelError("TLSB_ERR_INGRESS_CERT", `ingress certificate refused: ${why}`, { details: details(why) });
      answerAndClose(socket, formatErrorResponse(err, nodeName()));
    },
    close: () => {
      for (const session of live) session.destroy();
    },
  };
}

function details(why: string): string {
  return `ingress certificate refused: ${why}`;
}
