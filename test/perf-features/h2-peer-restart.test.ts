// Regression: in mode h2 the ingress kept the promise of its shared connection in a field that
// `forget` compared against a different promise (an `async` wrapper), so a connection the peer had
// closed was never forgotten: after a peer restart every tunnel failed with 502 until the ingress
// itself was restarted. Now the next tunnel after the close dials a new connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPeer } from "@tlsbridge/peer";
import type { RunningPeer } from "@tlsbridge/peer";
import { connectThrough } from "../helpers/connect-client.ts";
import { logSink } from "../helpers/log-sink.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

describe("mode h2 across a peer restart", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  let restarted: RunningPeer | undefined;
  beforeAll(async () => {
    echo = await startEchoService();
    nodes = await startTwoNodes({ peerMode: "h2" });
  });
  afterAll(async () => {
    await nodes.ingress.close();
    await restarted?.close();
    await echo.close();
  });

  it("serves new tunnels on a new connection once the peer is back", async () => {
    const before = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
    expect(before.status).toBe(200);
    before.socket.destroy();

    await nodes.peer.close(0);
    const log = logSink();
    restarted = await startPeer({ ...nodes.peerOptions, port: nodes.peer.port }, { log: log.log });

    // The old connection's close reaches the ingress asynchronously; give it a moment, then expect
    // every new tunnel to work through the restarted peer.
    await waitUntil(async () => {
      const reply = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
      reply.socket.destroy();
      return reply.status === 200;
    }, "a tunnel through the restarted peer", 5_000, 100);
    for (let i = 0; i < 3; i++) {
      const reply = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
      expect(reply.status).toBe(200);
      reply.socket.destroy();
    }
    expect(log.events("tunnel.open").length).toBeGreaterThanOrEqual(4);
  });
});
