// An HTTP/2 extended CONNECT (RFC 8441: `:protocol`, as WebSockets over HTTP/2 use) sent to the peer
// in mode h2 is refused, never dialed (issue 9: no test covered it). The peer serves only the
// classic CONNECT of RFC 9113 §8.5 and does not send SETTINGS_ENABLE_CONNECT_PROTOCOL, so a request
// carrying `:protocol` is malformed (RFC 8441 §3, RFC 9113 §8.1.1): a stream error PROTOCOL_ERROR,
// the connection and its other streams unharmed. Should the setting ever be advertised, the peer's
// own check answers 400 http_request_error instead; either way no service is dialed.
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testPki } from "../helpers/pki.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

type Outcome = { status?: number; proxyStatus?: string; rstCode?: number };

/** Sends `headers` on `session`; resolves with the response status or the stream's reset code. */
function ask(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders): Promise<Outcome> {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: false });
    let outcome: Outcome = {};
    stream.on("response", (h) => {
      outcome = { status: Number(h[":status"]), proxyStatus: String(h["proxy-status"] ?? "") };
      stream.close();
    });
    stream.on("error", () => {});
    stream.on("close", () => resolve(outcome.status !== undefined ? outcome : { rstCode: stream.rstCode }));
  });
}

describe("mode h2: an extended CONNECT (:protocol) at the peer", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  let session: http2.ClientHttp2Session;
  beforeAll(async () => {
    echo = await startEchoService();
    nodes = await startTwoNodes({ peerMode: "h2" });
    const pki = await testPki();
    // What an ingress would send, with the ingress's certificate: straight to the peer.
    session = http2.connect(`https://127.0.0.1:${nodes.peer.port}`, {
      ca: pki.ca.cert, cert: pki.ingress.cert, key: pki.ingress.key, servername: "localhost",
    });
    session.on("error", () => {});
    await new Promise((resolve) => session.once("remoteSettings", resolve));
  });
  afterAll(async () => {
    session.close();
    await nodes.close();
    await echo.close();
  });

  it("is refused and not dialed; a classic CONNECT on the same connection still works", async () => {
    const extended = await ask(session, {
      ":method": "CONNECT", ":protocol": "websocket", ":scheme": "https", ":path": "/chat", ":authority": `localhost:${echo.port}`,
    });
    if (session.remoteSettings.enableConnectProtocol === true) {
      expect(extended).toMatchObject({ status: 400 });
      expect(extended.proxyStatus).toMatch(/^test-peer; error=http_request_error/);
    } else {
      expect(extended).toEqual({ rstCode: http2.constants.NGHTTP2_PROTOCOL_ERROR });
    }
    expect(nodes.peerLog.events("tunnel.open")).toHaveLength(0);

    const classic = await ask(session, { ":method": "CONNECT", ":authority": `localhost:${echo.port}` });
    expect(classic.status).toBe(200);
    const open = await nodes.peerLog.waitFor("tunnel.open");
    expect(open.target).toBe(`localhost:${echo.port}`);
    expect(nodes.peerLog.events("tunnel.open")).toHaveLength(1); // the classic one only
  });
});
