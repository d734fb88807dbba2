// Regression: in mode h2 the ingress shares one connection per peer and had no liveness check. When
// the network silently lost that connection (no FIN, no RST), every new tunnel waited out
// peerResponseTimeoutMs on it and failed with 504, until TCP itself gave up minutes later. Now a
// CONNECT that times out sends a PING; unanswered within 2 s, the session is dropped and the next
// tunnel dials a new connection.
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { testPki } from "../helpers/pki.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

describe("mode h2 with a peer that goes silent", () => {
  let silent: tls.Server;
  let connections = 0;
  let nodes: TwoNodes;

  beforeAll(async () => {
    const pki = await testPki();
    // A peer that completes the TLS handshake (ALPN h2), then never reads or writes again: what a
    // connection lost in the network looks like from the ingress.
    silent = tls.createServer({ cert: pki.peer.cert, key: pki.peer.key, ca: pki.ca.cert, requestCert: true, ALPNProtocols: ["h2"] }, (socket) => {
      connections += 1;
      socket.pause();
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    nodes = await startTwoNodes({ peerMode: "h2", peerPort: port, ingressLimits: { peerResponseTimeoutMs: 500 } });
  });
  afterAll(async () => {
    await nodes.close();
    silent.close();
  });

  it("drops the dead shared connection after an unanswered PING, so the next tunnel dials afresh", async () => {
    const first = await connectThrough(nodes.ingressPort, "localhost:80");
    expect(first.status).toBe(504);
    first.socket.destroy();
    expect(connections).toBe(1);
    // The PING goes out when the CONNECT times out; 2 s later, unanswered, the session is dropped.
    // Tunnels keep coming until one dials afresh (this slept 3 s and then expected the very next
    // tunnel to dial: a margin of 1 s that a loaded machine could eat). Each is refused, none hangs,
    // and the drop is seen as exactly one new connection.
    await waitUntil(async () => {
      const next = await connectThrough(nodes.ingressPort, "localhost:80");
      // 504 when its CONNECT timed out; 502 when the session was dropped under it.
      expect([502, 504]).toContain(next.status);
      next.socket.destroy();
      return connections === 2;
    }, "a tunnel that dials a second connection to the peer", 30_000, 0);
    expect(connections).toBe(2);
  }, 45_000);
});
