// Regression (issue 9), the peer's side of h2-peer-connection-lost: when the ingress's HTTP/2
// connection ended with a tunnel open and no GOAWAY before it, Node closed the peer's open streams
// without an error and the service read a clean end (a truncated upload taken for a whole one). A
// stand-in ingress opens a CONNECT stream to the real peer, sends 1 MiB, then cuts the connection
// each way; the service must get ECONNRESET after a byte-for-byte prefix, and the peer must log
// `client_lost`.
import http2 from "node:http2";
import net from "node:net";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { patternAt, startPatternSink } from "../helpers/byte-pattern.ts";
import { testPki } from "../helpers/pki.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";

const MIB = 1024 * 1024;
type Cut = "a TCP FIN without close_notify" | "close_notify and FIN, but no GOAWAY";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("mode h2: the ingress's connection lost with a tunnel open", () => {
  it.each<Cut>(["a TCP FIN without close_notify", "close_notify and FIN, but no GOAWAY"])("%s: the service is reset, the peer logs client_lost", async (cut) => {
    const pki = await testPki();
    const sink = await startPatternSink();
    cleanups.push(() => sink.close());
    const nodes = await startTwoNodes();
    cleanups.push(() => nodes.close());

    // The stand-in ingress: TLS with the ingress certificate and ALPN h2, then one CONNECT stream.
    const raw = net.connect({ port: nodes.peer.port, host: "127.0.0.1", allowHalfOpen: true });
    raw.on("error", () => {});
    await new Promise((resolve) => raw.once("connect", resolve));
    const socket = tls.connect({
      socket: raw, ca: pki.ca.cert, cert: pki.ingress.cert, key: pki.ingress.key, servername: "localhost", ALPNProtocols: ["h2"],
    });
    socket.on("error", () => {});
    await new Promise((resolve) => socket.once("secureConnect", resolve));
    const session = http2.connect("https://localhost", { createConnection: () => socket });
    session.on("error", () => {});
    cleanups.push(() => session.destroy());
    const stream = session.request({ ":method": "CONNECT", ":authority": `localhost:${sink.port}` }, { endStream: false });
    stream.on("error", () => {});
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once("response", (h) => resolve(h)));
    expect(headers[":status"]).toBe(200);
    await new Promise<void>((resolve) => stream.write(patternAt(0, MIB), () => resolve()));
    await waitUntil(() => (sink.connections[0]?.checker.received ?? 0) > 0, "bytes at the service");
    if (cut === "a TCP FIN without close_notify") raw.end();
    else socket.end();

    const service = sink.connections[0] as (typeof sink.connections)[number];
    const end = await service.ended;
    expect(service.checker.firstMismatch).toBe(-1);
    expect(service.checker.received).toBeLessThanOrEqual(MIB);
    expect(end).toEqual({ how: "error", code: "ECONNRESET" });
    const close = await nodes.peerLog.waitFor("tunnel.close");
    expect(close.outcome).toBe("client_lost");
    expect((close.err as { type?: string } | undefined)?.type).toBe("LinkLostError");
    expect(nodes.peerLog.lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
