// A rule may name a peer group: the ingress tries its members in turn, starting one further for each
// tunnel (both peers carry tunnels), and passes over a member it cannot dial (the client is still
// served, and `peer.failover` says which peer was down; that member is then tried last for a while). A refusal from a peer that answered is
// final: it is relayed, never retried elsewhere (the client's early data may already be there).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPeer } from "@tlsbridge/peer";
import type { RunningPeer } from "@tlsbridge/peer";
import { RuleSet } from "@tlsbridge/rules";
import { connectThrough } from "../helpers/connect-client.ts";
import { logSink } from "../helpers/log-sink.ts";
import type { LogSink } from "../helpers/log-sink.ts";
import { closedPort, startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

/** packages/ingress/src/peer-choice.ts: how long a member that could not be dialed is tried last. */
const UNREACHABLE_HOLD_MS = 10_000;

describe("peer groups", () => {
  let nodes: TwoNodes;
  let west: RunningPeer;
  let westLog: LogSink;
  let echo: TestService;
  let downPort: number;

  beforeAll(async () => {
    echo = await startEchoService();
    nodes = await startTwoNodes();
    westLog = logSink();
    west = await startPeer({ ...nodes.peerOptions, nodeName: "test-peer-west" }, { log: westLog.log });
    downPort = await closedPort();
    const cloud = nodes.ingressOptions.peers.get("cloud");
    if (cloud === undefined) throw new Error("no cloud peer");
    const listener = nodes.ingressOptions.listeners[0];
    if (listener === undefined) throw new Error("no listener");
    nodes.ingress.reload({
      ...nodes.ingressOptions,
      listeners: [{ ...listener, rules: RuleSet.fromEntries([{ match: "localhost", peer: "both" }, { match: "127[.]0[.]0[.]1", peer: "with-down" }]) }],
      peers: new Map([
        ["cloud", cloud],
        ["west", { ...cloud, name: "west", port: west.port }],
        ["down", { ...cloud, name: "down", port: downPort }],
      ]),
      peerGroups: new Map([["both", ["cloud", "west"]], ["with-down", ["down", "west"]]]),
    });
  });
  afterAll(async () => {
    await nodes.close();
    await west.close();
    await echo.close();
  });

  it("spreads tunnels over the members, starting one further each time", async () => {
    for (let i = 0; i < 4; i++) {
      const reply = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
      expect(reply.status).toBe(200);
      reply.socket.destroy();
    }
    await expect.poll(() => nodes.peerLog.events("tunnel.open").length + westLog.events("tunnel.open").length).toBe(4);
    expect(nodes.peerLog.events("tunnel.open")).toHaveLength(2);
    expect(westLog.events("tunnel.open")).toHaveLength(2);
  });

  it("passes over a member it cannot dial and serves the client through the next", async () => {
    const before = westLog.events("tunnel.open").length;
    for (let i = 0; i < 2; i++) {
      const reply = await connectThrough(nodes.ingressPort, `127.0.0.1:${echo.port}`);
      expect(reply.status).toBe(200);
      reply.socket.write("ping");
      await expect.poll(() => reply.socket.read()?.toString()).toBe("ping");
      reply.socket.destroy();
    }
    expect(westLog.events("tunnel.open").length - before).toBe(2);
    const failover = await nodes.ingressLog.waitFor("peer.failover");
    expect(failover).toMatchObject({ peer: "down", next: "west", code: "TLSB_ERR_PEER_UNREACHABLE", level: 40 });
    const open = await nodes.ingressLog.waitFor("tunnel.open", (l) => l.target === `127.0.0.1:${echo.port}`);
    expect(open.peer).toBe("west");
  });

  it("tries a member that could not be dialed last for a while, so later tunnels do not pay for it", async () => {
    // The previous test found `down` unreachable; its turn comes every other tunnel, yet no tunnel
    // within the hold (UNREACHABLE_HOLD_MS, 10 s) tries it first again: no new failover, all go
    // straight to `west`. The hold is a duration, so the assertion is about the tunnels that started
    // within it: on a machine loaded enough to push some tunnels past it, a failover for those is
    // the hold working as designed, not a fault (this used to assume all four fit in 10 s).
    const failovers = nodes.ingressLog.events("peer.failover");
    const heldUntil = Math.max(...failovers.map((l) => Number(l.time))) + UNREACHABLE_HOLD_MS;
    const before = westLog.events("tunnel.open").length;
    for (let i = 0; i < 4; i++) {
      const reply = await connectThrough(nodes.ingressPort, `127.0.0.1:${echo.port}`);
      expect(reply.status).toBe(200);
      reply.socket.destroy();
    }
    await expect.poll(() => westLog.events("tunnel.open").length - before).toBe(4);
    const newFailovers = nodes.ingressLog.events("peer.failover").slice(failovers.length);
    expect(newFailovers.filter((l) => Number(l.time) < heldUntil)).toEqual([]);
  });

  it("relays a refusal from a member that answered, without trying another", async () => {
    const failovers = nodes.ingressLog.events("peer.failover").length;
    // Port 1 on loopback is closed: the peer that answers refuses with 502, and that is final.
    const reply = await connectThrough(nodes.ingressPort, "localhost:1");
    expect(reply.status).toBe(502);
    expect(reply.headers.get("proxy-status")?.[0]).toMatch(/^test-peer(-west)?; error=connection_refused/);
    expect(nodes.ingressLog.events("peer.failover")).toHaveLength(failovers);
  });
});
