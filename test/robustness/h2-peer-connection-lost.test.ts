// Regression (issue 9): in mode h2, when the peer's connection ended with tunnels open and no GOAWAY
// before it, the ingress destroyed the session and Node closed the open streams without an error:
// each client read a clean end, and the ingress logged `done`. Whether the connection ended with a
// bare TCP FIN (a killed peer, a cut network) or with close_notify but no GOAWAY, the open streams
// were lost, not finished. A stand-in peer answers the CONNECT, sends 1 MiB on the stream, and then
// cuts the connection each way; the client must get ECONNRESET after a byte-for-byte prefix, and the
// ingress must log `upstream_lost`.
import http2 from "node:http2";
import type net from "node:net";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { patternAt, PatternChecker, readPattern } from "../helpers/byte-pattern.ts";
import { connectThrough } from "../helpers/connect-client.ts";
import { testPki } from "../helpers/pki.ts";
import { listenOnLoopbackTracked } from "../helpers/services.ts";
import type { TrackedService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const MIB = 1024 * 1024;
type Cut = "a TCP FIN without close_notify" | "close_notify and FIN, but no GOAWAY";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An HTTP/2 peer that answers every CONNECT with 200 and 1 MiB of the pattern, then cuts its connection as told. */
async function cuttingPeer(cut: Cut): Promise<TrackedService> {
  const pki = await testPki();
  const sessions = http2.createServer();
  const server = tls.createServer({
    cert: pki.peer.cert, key: pki.peer.key, ca: pki.ca.cert, requestCert: true, ALPNProtocols: ["h2"], allowHalfOpen: true,
  }, (socket) => {
    socket.on("error", () => {});
    sessions.emit("connection", socket);
    sessions.once("stream", (stream: http2.ServerHttp2Stream) => {
      stream.on("error", () => {});
      stream.respond({ ":status": 200 });
      stream.write(patternAt(0, MIB), () => {
        if (cut === "a TCP FIN without close_notify") (socket as unknown as { _parent: net.Socket })._parent.end();
        else socket.end();
      });
    });
  });
  const peer = await listenOnLoopbackTracked(server);
  cleanups.push(() => peer.close());
  return peer;
}

describe("mode h2: the peer's connection lost with a tunnel open", () => {
  it.each<Cut>(["a TCP FIN without close_notify", "close_notify and FIN, but no GOAWAY"])("%s: the client is reset, the ingress logs upstream_lost", async (cut) => {
    const peer = await cuttingPeer(cut);
    const nodes: TwoNodes = await startTwoNodes({ peerPort: peer.port, peerMode: "h2" });
    cleanups.push(() => nodes.close());

    const tunnel = await connectThrough(nodes.ingressPort, "localhost:9");
    expect(tunnel.status).toBe(200);
    const checker = new PatternChecker();
    const end = await readPattern(tunnel.socket, checker, tunnel.rest);
    expect(checker.firstMismatch).toBe(-1);
    expect(checker.received).toBeLessThanOrEqual(MIB);
    expect(end).toEqual({ how: "error", code: "ECONNRESET" });
    const close = await nodes.ingressLog.waitFor("tunnel.close");
    expect(close.outcome).toBe("upstream_lost");
    expect((close.err as { type?: string } | undefined)?.type).toBe("LinkLostError");
    expect(nodes.ingressLog.lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
