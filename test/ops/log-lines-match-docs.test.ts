// Issue 15: the log lines disagreed with docs/log-events.md (`startup` documented `node, pid` and
// written `nodeVersion, config`; `shutdown`, `config.loaded` and `time` likewise), and some lines
// carried one JSON key twice (`role` on every ingress line, `node` in config.loaded; in
// cert.loaded the certificate's role overwrote the node's). The document's tables are now
// generated from the log catalogue the code's log calls are typed against; real nodes run a tunnel,
// a refusal, a reload and a shutdown here, and every line either writes is checked against that
// catalogue: event known, written by that node at one of its levels, every field declared, required
// fields present, types right, no key twice at any level. Each node also writes one access line
// per tunnel attempt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { logLineProblems } from "../helpers/log-catalogue-check.ts";
import { readToEnd } from "../helpers/tunnel-probe.ts";
import { openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import type { OpsNode, OpsWorkspace } from "../helpers/ops-nodes.ts";

let workspace: OpsWorkspace;
let peer: OpsNode;
let ingress: OpsNode;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-ops-log-doc-");
});

afterAll(() => workspace.close());

describe("log lines match the log catalogue (and so docs/log-events.md)", () => {
  it("every line of a tunnel, a refusal, a reload and a shutdown is documented, without a key written twice", async () => {
    peer = workspace.startNode("peer", await workspace.writePeerConfig("peer.yaml", ["shutdownGraceMs: 200"]));
    const peerPort = portOf(await peer.waitFor("listening"));
    const config = await workspace.writeIngressConfig("ingress.yaml", peerPort, ["shutdownGraceMs: 200"]);
    ingress = workspace.startNode("ingress", config);
    const port = portOf(await ingress.waitFor("listening"));

    const tunnel = await connectThrough(port, `localhost:${workspace.echo.port}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.end("ping");
    expect((await readToEnd(tunnel.socket, tunnel.rest)).data.toString()).toBe("ping");
    await ingress.waitFor("tunnel.close");
    const refused = await connectThrough(port, "example.org:443");
    expect(refused.status).toBe(403);
    refused.socket.destroy();
    await ingress.waitFor("access", (l) => l.status === 403);

    ingress.signal("SIGHUP");
    await ingress.waitFor("config.reloaded");
    peer.signal("SIGHUP");
    await peer.waitFor("config.reloaded");
    expect(await ingress.stop()).toBe(0);
    expect(await peer.stop()).toBe(0);

    const problems: string[] = [];
    for (const [role, node] of [["ingress", ingress], ["peer", peer]] as const) {
      for (const text of node.raw) problems.push(...logLineProblems(role, text));
    }
    expect([...new Set(problems)]).toEqual([]);
    expect(ingress.lines.filter((l) => l.event === "access").map((l) => l.status)).toEqual([200, 403]);
    expect(peer.lines.filter((l) => l.event === "access").map((l) => l.status)).toEqual([200]);
    // The ISO time the lines carry is what the document says.
    expect(String(ingress.lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
