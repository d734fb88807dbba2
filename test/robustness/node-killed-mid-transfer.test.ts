// Regression (issue 9, "truncation must never look like success"): with the peer SIGKILLed during a
// download through the ingress, the client received a clean FIN (mode h1: the TLS leg's EOF became
// end() on the client; mode h2: the session ended on the socket's end and Node closed the open
// streams without an error) and the ingress logged the tunnel as `done`. A close-delimited protocol
// takes that for a complete transfer. The same held the other way: an ingress killed during an
// upload reached the service as a FIN. Now a TLS stream that ends without the other node's
// close_notify is a lost link: the other leg is reset (the client or service sees ECONNRESET,
// having received a byte-for-byte prefix of what was sent) and `tunnel.close` says
// `upstream_lost` (ingress) or `client_lost` (peer).
import { afterEach, describe, expect, it } from "vitest";
import { PatternChecker, readPattern, startPatternSink, startPatternSource, writePattern } from "../helpers/byte-pattern.ts";
import { connectThrough } from "../helpers/connect-client.ts";
import { startNodeProcess } from "../helpers/node-process.ts";
import type { NodeProcess } from "../helpers/node-process.ts";
import { testPki } from "../helpers/pki.ts";
import type { TrackedService } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes, TEST_INGRESS_LIMITS, TEST_PEER_LIMITS } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";
import { LOOPBACK_ADDRESSES } from "../helpers/loopback-addresses.ts";

const MIB = 1024 * 1024;
/** Bytes that must have crossed the tunnel before the node is killed: the transfer is under way. */
const BEFORE_KILL = 8 * MIB;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function peerProcess(): Promise<NodeProcess> {
  const pki = await testPki();
  const peer = await startNodeProcess({
    role: "peer", nodeName: "test-peer", port: 0, ca: pki.ca.cert, cert: pki.peer.cert, key: pki.peer.key,
    limits: TEST_PEER_LIMITS, allow: [{ match: "localhost", addresses: LOOPBACK_ADDRESSES }],
  });
  cleanups.push(() => peer.kill());
  return peer;
}

async function ingressProcess(peerPort: number, mode: "h1" | "h2"): Promise<NodeProcess> {
  const pki = await testPki();
  const ingress = await startNodeProcess({
    role: "ingress", nodeName: "test-ingress", port: 0, ca: pki.ca.cert, cert: pki.ingress.cert, key: pki.ingress.key,
    limits: TEST_INGRESS_LIMITS, peer: { host: "127.0.0.1", port: peerPort, servername: "localhost", mode },
  });
  cleanups.push(() => ingress.kill());
  return ingress;
}

async function tracked<T extends TrackedService>(started: Promise<T>): Promise<T> {
  const service = await started;
  cleanups.push(() => service.close());
  return service;
}

async function nodesWith(options: Parameters<typeof startTwoNodes>[0]): Promise<TwoNodes> {
  const nodes = await startTwoNodes(options);
  cleanups.push(() => nodes.close());
  return nodes;
}

describe.each(["h1", "h2"] as const)("mode %s: a node killed mid-transfer", (mode) => {
  it("peer SIGKILLed during a download: the client is reset after a prefix of the bytes sent, the ingress logs upstream_lost", async () => {
    const source = await tracked(startPatternSource());
    const peer = await peerProcess();
    const nodes = await nodesWith({ peerPort: peer.port, peerMode: mode });

    const tunnel = await connectThrough(nodes.ingressPort, `localhost:${source.port}`);
    expect(tunnel.status).toBe(200);
    const checker = new PatternChecker();
    const ended = readPattern(tunnel.socket, checker, tunnel.rest);
    await waitUntil(() => checker.received >= BEFORE_KILL, `${BEFORE_KILL} bytes through the tunnel`, 30_000);
    await peer.kill();

    const end = await ended;
    expect(checker.firstMismatch).toBe(-1); // what arrived is the start of what was sent
    expect(end).toEqual({ how: "error", code: "ECONNRESET" }); // never a clean end short of the bytes sent
    const close = await nodes.ingressLog.waitFor("tunnel.close");
    // h2: the killed peer's kernel may answer the ingress's next frame (a WINDOW_UPDATE) with a TCP
    // RST before the FIN is read: a reset, told as one.
    expect(mode === "h1" ? ["upstream_lost"] : ["upstream_lost", "upstream_reset"]).toContain(close.outcome);
    expect(close.bytesDown).toBeGreaterThanOrEqual(BEFORE_KILL);
    expect(nodes.ingressLog.lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it("ingress SIGKILLed during an upload: the service is reset after a prefix of the bytes sent, the peer logs client_lost", async () => {
    const sink = await tracked(startPatternSink());
    const nodes = await nodesWith({ peerMode: mode });
    const ingress = await ingressProcess(nodes.peer.port, mode);

    const tunnel = await connectThrough(ingress.port, `localhost:${sink.port}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.resume();
    void writePattern(tunnel.socket);
    await waitUntil(() => (sink.connections[0]?.checker.received ?? 0) >= BEFORE_KILL, `${BEFORE_KILL} bytes at the service`, 30_000);
    await ingress.kill();

    const service = sink.connections[0] as (typeof sink.connections)[number];
    const end = await service.ended;
    expect(service.checker.firstMismatch).toBe(-1);
    expect(end).toEqual({ how: "error", code: "ECONNRESET" });
    const close = await nodes.peerLog.waitFor("tunnel.close");
    expect(mode === "h1" ? ["client_lost"] : ["client_lost", "client_reset"]).toContain(close.outcome);
    expect(close.bytesUp).toBeGreaterThanOrEqual(BEFORE_KILL);
    expect(nodes.peerLog.lines.filter((l) => l.level >= 50)).toEqual([]);
    tunnel.socket.destroy();
  });
});
