// Regression (issue 9): in mode h2 a service that sent 1 MiB and then reset its connection reached
// the client as a clean end in 9 runs of 13. The peer carried the reset as RST_STREAM(CONNECT_ERROR),
// but Http2Stream.close() ends the writable side first and Node flushes that END_STREAM ahead of
// the RST_STREAM, so the ingress read a FIN, passed it on as one, and held it back only one turn of
// the event loop (a race it often lost). The same happened the other way (a client's reset reached
// the service as a FIN). Now a reset sends no END_STREAM, and each run must end in ECONNRESET on the
// far side after a byte-for-byte prefix of what was sent.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { patternAt, PatternChecker, readPattern, startPatternSink } from "../helpers/byte-pattern.ts";
import { connectThrough } from "../helpers/connect-client.ts";
import { listenOnLoopbackTracked } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import type { TrackedService } from "../helpers/services.ts";
import { startNodeProcess } from "../helpers/node-process.ts";
import type { NodeProcess } from "../helpers/node-process.ts";
import { testPki } from "../helpers/pki.ts";
import { startTwoNodes, TEST_PEER_LIMITS } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";
import { LOOPBACK_ADDRESSES } from "../helpers/loopback-addresses.ts";

const MIB = 1024 * 1024;
const RUNS = 10;

/** A service that, once the client says anything, sends 1 MiB of the pattern and resets the connection. */
function startSendThenReset(): Promise<TrackedService> {
  return listenOnLoopbackTracked(net.createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.write(patternAt(0, MIB), () => socket.resetAndDestroy()));
  }));
}

describe("mode h2: a reset after 1 MiB of data reaches the other end as a reset, every time", () => {
  // The peer in its own process, as deployed: with both nodes on one event loop the ingress read
  // the peer's END_STREAM and RST_STREAM in the same turn far more often than across processes.
  let nodes: TwoNodes;
  let peer: NodeProcess;
  beforeAll(async () => {
    const pki = await testPki();
    peer = await startNodeProcess({
      role: "peer", nodeName: "test-peer", port: 0, ca: pki.ca.cert, cert: pki.peer.cert, key: pki.peer.key,
      limits: TEST_PEER_LIMITS, allow: [{ match: "localhost", addresses: LOOPBACK_ADDRESSES }],
    });
    nodes = await startTwoNodes({ peerMode: "h2", peerPort: peer.port });
  });
  afterAll(async () => {
    await nodes.close();
    await peer.close();
  });
  const peerCloses = (): Array<Record<string, unknown>> => peer.logs.filter((l) => l.event === "tunnel.close");

  it(`service resets after 1 MiB: the client gets ECONNRESET after a prefix, ${RUNS} runs in a row`, async () => {
    const service = await startSendThenReset();
    try {
      for (let run = 1; run <= RUNS; run++) {
        const tunnel = await connectThrough(nodes.ingressPort, `localhost:${service.port}`);
        expect(tunnel.status).toBe(200);
        const checker = new PatternChecker();
        const ended = readPattern(tunnel.socket, checker, tunnel.rest);
        tunnel.socket.write("go");
        const end = await ended;
        expect({ run, end, firstMismatch: checker.firstMismatch }).toEqual({ run, end: { how: "error", code: "ECONNRESET" }, firstMismatch: -1 });
        expect(checker.received).toBeLessThanOrEqual(MIB);
        tunnel.socket.destroy();
      }
      await waitUntil(() => peerCloses().length >= RUNS, `${RUNS} tunnel.close lines from the peer`);
      expect(peerCloses().slice(-RUNS).map((l) => l.outcome)).toEqual(Array(RUNS).fill("upstream_reset"));
      await nodes.ingressLog.waitFor("tunnel.close", () => nodes.ingressLog.events("tunnel.close").length >= RUNS);
      expect(nodes.ingressLog.events("tunnel.close").slice(-RUNS).map((l) => l.outcome)).toEqual(Array(RUNS).fill("upstream_reset"));
    } finally {
      await service.close();
    }
  });

  it(`client resets after 1 MiB: the service gets ECONNRESET after a prefix, ${RUNS} runs in a row`, async () => {
    const sink = await startPatternSink();
    try {
      const before = peerCloses().length;
      for (let run = 1; run <= RUNS; run++) {
        const tunnel = await connectThrough(nodes.ingressPort, `localhost:${sink.port}`);
        expect(tunnel.status).toBe(200);
        tunnel.socket.on("error", () => {});
        tunnel.socket.write(patternAt(0, MIB), () => tunnel.socket.resetAndDestroy());
        const connection = await waitForConnection(sink.connections, run - 1);
        const end = await connection.ended;
        expect({ run, end, firstMismatch: connection.checker.firstMismatch }).toEqual({ run, end: { how: "error", code: "ECONNRESET" }, firstMismatch: -1 });
      }
      await waitUntil(() => peerCloses().length >= before + RUNS, `${RUNS} more tunnel.close lines from the peer`);
      expect(peerCloses().slice(before).map((l) => l.outcome)).toEqual(Array(RUNS).fill("client_reset"));
    } finally {
      await sink.close();
    }
  });
});

async function waitForConnection<T>(connections: T[], index: number): Promise<T> {
  const deadline = Date.now() + 10_000;
  while (connections[index] === undefined) {
    if (Date.now() > deadline) throw new Error(`connection ${index + 1} never reached the service`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return connections[index] as T;
}
