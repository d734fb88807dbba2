// In mode h2 a tunnel can race the peer's shutdown: the ingress sends a CONNECT stream on the shared
// connection just as the peer sends GOAWAY. A peer refuses the streams its GOAWAY does not cover
// (REFUSED_STREAM, RFC 9113 §8.7): it never processed them, no service saw them, and they are safe
// to send again; so are streams reset with REFUSED_STREAM. Before, the client got 502 for a tunnel
// the next connection would have carried. A stand-in peer answers its first stream, then answers the
// next with GOAWAY(last stream 1) (or, in the other cases, refuses every stream with
// RST_STREAM(REFUSED_STREAM), or resets one after processing it).
import { once } from "node:events";
import http2 from "node:http2";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { testPki } from "../helpers/pki.ts";
import { listenOnLoopbackTracked } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";

/** What the stand-in peer does with a stream, given its connection's number (1, 2, ...) and its stream's on it. */
type Answer = "answer" | "goaway-before-it" | "refuse" | "reset-after-processing";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function standInPeer(decide: (connection: number, stream: number) => Answer): Promise<{ port: number; streams: string[] }> {
  const pki = await testPki();
  const streams: string[] = [];
  const sessions = http2.createServer();
  const numbers = new WeakMap<http2.Http2Session, { connection: number; streams: number }>();
  let connections = 0;
  sessions.on("session", (session) => numbers.set(session, { connection: ++connections, streams: 0 }));
  sessions.on("stream", (stream: http2.ServerHttp2Stream) => {
    stream.on("error", () => {});
    const counted = numbers.get(stream.session as http2.Http2Session);
    if (counted === undefined) throw new Error("a stream of an unknown session");
    counted.streams += 1;
    const answer = decide(counted.connection, counted.streams);
    streams.push(`connection ${counted.connection} stream ${counted.streams}: ${answer}`);
    // Node sends its own last processed stream id for 0, so this GOAWAY needs a stream before it.
    if (answer === "goaway-before-it") stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR, (stream.id ?? 0) - 2);
    else if (answer === "refuse") stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    else if (answer === "reset-after-processing") stream.close(http2.constants.NGHTTP2_CANCEL);
    else {
      stream.respond({ ":status": 200 });
      stream.write(`connection ${counted.connection}\n`);
    }
  });
  const server = tls.createServer({ cert: pki.peer.cert, key: pki.peer.key, ca: pki.ca.cert, requestCert: true, ALPNProtocols: ["h2"] }, (socket) => {
    socket.on("error", () => {});
    sessions.emit("connection", socket);
  });
  const peer = await listenOnLoopbackTracked(server);
  cleanups.push(() => peer.close());
  return { port: peer.port, streams };
}

async function firstLine(socket: import("node:net").Socket, rest: Buffer): Promise<string> {
  let text = rest.toString();
  while (!text.includes("\n")) text += String((await once(socket, "data"))[0]);
  return text.slice(0, text.indexOf("\n"));
}

describe("mode h2: a stream the peer refused with its GOAWAY", () => {
  it("is sent again on a new connection: the client gets its tunnel, not a 502", async () => {
    const peer = await standInPeer((connection, stream) => (connection === 1 && stream === 2 ? "goaway-before-it" : "answer"));
    const nodes = await startTwoNodes({ peerPort: peer.port, peerMode: "h2" });
    cleanups.push(() => nodes.close());

    const first = await connectThrough(nodes.ingressPort, "localhost:9");
    expect(first.status).toBe(200);
    expect(await firstLine(first.socket, first.rest)).toBe("connection 1");
    const second = await connectThrough(nodes.ingressPort, "localhost:9");
    expect(second.status).toBe(200);
    expect(await firstLine(second.socket, second.rest)).toBe("connection 2");
    expect(peer.streams).toEqual(["connection 1 stream 1: answer", "connection 1 stream 2: goaway-before-it", "connection 2 stream 1: answer"]);
    first.socket.destroy();
    second.socket.destroy();
    expect(nodes.ingressLog.lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it("is sent once more only: a peer refusing every stream gets two tries, then the client a 502", async () => {
    const peer = await standInPeer(() => "refuse");
    const nodes = await startTwoNodes({ peerPort: peer.port, peerMode: "h2" });
    cleanups.push(() => nodes.close());

    const tunnel = await connectThrough(nodes.ingressPort, "localhost:9");
    expect(tunnel.status).toBe(502);
    expect(tunnel.headers.get("proxy-status")?.[0]).toContain("error=http_response_incomplete");
    tunnel.socket.destroy();
    expect(peer.streams).toEqual(["connection 1 stream 1: refuse", "connection 1 stream 2: refuse"]);
  });

  it("is never sent again once the peer processed it (reset with another code): 502, one try", async () => {
    const peer = await standInPeer((connection, stream) => (connection === 1 && stream === 1 ? "reset-after-processing" : "answer"));
    const nodes = await startTwoNodes({ peerPort: peer.port, peerMode: "h2" });
    cleanups.push(() => nodes.close());

    const tunnel = await connectThrough(nodes.ingressPort, "localhost:9");
    expect(tunnel.status).toBe(502);
    tunnel.socket.destroy();
    expect(peer.streams).toEqual(["connection 1 stream 1: reset-after-processing"]);
  });
});
