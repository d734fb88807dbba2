// Regression: a reload while a tunnel was failing over inside a peer group. The failover loop kept
// the PeerLinks it started with across its awaits; a reload replaces the links and closes the old
// ones, so the next member was dialed through closed links: an h2 peer answered 502 "ingress is
// shutting down" (and an h1 peer would have been dialed with the old TLS client context). Each
// attempt now reads the current links. Made deterministic with a first member that accepts TCP and
// holds the handshake until the reload is done, then resets (a dial failure: fail over).
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngressOptions } from "@tlsbridge/ingress";
import { RuleSet } from "@tlsbridge/rules";
import { connectThrough } from "../helpers/connect-client.ts";
import { listenOnLoopback, startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

describe("a reload during a peer-group failover", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  let holder: TestService;
  let held: () => Promise<net.Socket>;
  let options: IngressOptions;

  beforeAll(async () => {
    echo = await startEchoService();
    nodes = await startTwoNodes();
    const sockets: net.Socket[] = [];
    let wake = (): void => {};
    held = async () => {
      while (sockets.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return sockets.shift() as net.Socket;
    };
    holder = await listenOnLoopback(net.createServer((socket) => {
      sockets.push(socket);
      wake();
    }));
    const cloud = nodes.ingressOptions.peers.get("cloud");
    const listener = nodes.ingressOptions.listeners[0];
    if (cloud === undefined || listener === undefined) throw new Error("no cloud peer or listener");
    options = {
      ...nodes.ingressOptions,
      listeners: [{ ...listener, rules: RuleSet.fromEntries([{ match: "localhost", peer: "group" }]) }],
      peers: new Map([
        ["held", { ...cloud, name: "held", port: holder.port }],
        ["cloud", { ...cloud, mode: "h2" as const }],
      ]),
      peerGroups: new Map([["group", ["held", "cloud"]]]),
    };
    nodes.ingress.reload(options);
  });
  afterAll(async () => {
    await nodes.close();
    await holder.close();
    await echo.close();
  });

  it("dials the next member with the links in force after the reload", async () => {
    const reply = connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
    const socket = await held(); // the tunnel now waits on the first member's handshake
    nodes.ingress.reload({ ...options, peers: new Map(options.peers) }); // new links; the old ones close
    socket.resetAndDestroy(); // the first member fails to dial: fail over to cloud
    const { status, socket: tunnel } = await reply;
    expect(status).toBe(200);
    const echoed = new Promise<string>((resolve) => tunnel.once("data", (c: Buffer) => resolve(c.toString())).resume());
    tunnel.write("ping");
    expect(await echoed).toBe("ping");
    tunnel.destroy();
    expect(nodes.ingressLog.events("peer.failover")).toMatchObject([{ peer: "held", next: "cloud" }]);
  });

  it("passes over a member the reload removed meanwhile", async () => {
    const cloud = options.peers.get("cloud");
    if (cloud === undefined) throw new Error("no cloud peer");
    const three = { ...options, peers: new Map([...options.peers, ["gone", { ...cloud, name: "gone", mode: "h1" as const }]]), peerGroups: new Map([["group", ["held", "gone", "cloud"]]]) };
    nodes.ingress.reload(three); // a new PeerChoice: the next tunnel starts at held
    const reply = connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
    const socket = await held();
    nodes.ingress.reload(options); // gone is no longer a peer
    socket.resetAndDestroy();
    const { status, socket: tunnel } = await reply;
    expect(status).toBe(200);
    tunnel.destroy();
    expect(nodes.ingressLog.events("internal.error")).toHaveLength(0);
    expect(nodes.ingressLog.events("peer.failover").slice(-2)).toMatchObject([{ peer: "held", next: "gone" }, { peer: "gone", next: "cloud" }]);
  });
});
