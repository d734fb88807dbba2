// Mode h2 spreads tunnels over a few connections per peer (issue 13): on a WAN one TCP connection
// that stalls to recover a lost segment holds up every tunnel on it, so while each connection up
// carries a tunnel another is opened for the next ones, up to a bound; a tunnel takes the
// connection carrying the fewest. Counted at the peer, which logs one auth.granted per connection.
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { H2_MAX_CONNECTIONS_PER_PEER } from "@tlsbridge/ingress";
import { connectThrough } from "../helpers/connect-client.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

/** Opens a tunnel to the echo service and proves it with an echo; left open. */
async function heldTunnel(nodes: TwoNodes, echoPort: number): Promise<net.Socket> {
  const t = await connectThrough(nodes.ingressPort, `127.0.0.1:${echoPort}`);
  expect(t.status).toBe(200);
  const back = new Promise<void>((resolve) => {
    let got = t.rest.toString();
    const onData = (c: Buffer): void => {
      got += c.toString();
      if (got === "ping") {
        t.socket.off("data", onData);
        resolve();
      }
    };
    t.socket.on("data", onData);
  });
  t.socket.resume();
  t.socket.write("ping");
  await back;
  return t.socket;
}

describe("mode h2: tunnels spread over a bounded number of connections", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
    nodes = await startTwoNodes({ peerMode: "h2" });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });

  const connections = (): number => nodes.peerLog.events("auth.granted").length;

  it("opens another connection while tunnels overlap, and never more than the bound", async () => {
    const held: net.Socket[] = [];
    try {
      held.push(await heldTunnel(nodes, echo.port));
      held.push(await heldTunnel(nodes, echo.port)); // the first connection carries one: a second is opened
      await waitUntil(() => connections() >= 2, "a second connection to the peer");
      for (let i = 0; i < 3 * H2_MAX_CONNECTIONS_PER_PEER; i++) held.push(await heldTunnel(nodes, echo.port));
      await waitUntil(() => connections() === H2_MAX_CONNECTIONS_PER_PEER, "connections up to the bound");
      for (let i = 0; i < 10; i++) held.push(await heldTunnel(nodes, echo.port));
      expect(connections()).toBe(H2_MAX_CONNECTIONS_PER_PEER);
      expect(nodes.peerLog.events("auth.granted").every((l) => l.mode === "h2")).toBe(true);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});
