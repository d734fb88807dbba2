// Regression (issue 9): `/readyz` answered 503 as soon as any peer was down, even one member of a peer
// group whose other member kept every rule served through failover: an orchestrator acting on it
// would take a healthy ingress out of service. Ready now means every rule can reach at least one peer
// that is up; each peer's state stays in the body and in `tlsbridge_peer_up`. Real processes: an
// ingress whose only rule names a group of two peers; one peer stops (200, the body shows it down,
// tunnels still served), then the other (503, the body names the group and the rule).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { adminGet, openOpsWorkspace, portOf, scrape } from "../helpers/ops-nodes.ts";
import type { OpsNode, OpsWorkspace } from "../helpers/ops-nodes.ts";
import { readToEnd, waitUntil } from "../helpers/tunnel-probe.ts";

let workspace: OpsWorkspace;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-ops-ready-group-");
});

afterAll(() => workspace.close());

async function startPeer(name: string): Promise<{ node: OpsNode; port: number }> {
  const node = workspace.startNode("peer", await workspace.writePeerConfig(`${name}.yaml`, ["shutdownGraceMs: 200"]));
  return { node, port: portOf(await node.waitFor("listening")) };
}

describe("/readyz with a peer group", () => {
  it("stays ready while one member is down (listing it), and is not ready once both are", async () => {
    const { dir, echo } = workspace;
    const [east, west] = await Promise.all([startPeer("east"), startPeer("west")]);
    await writeFile(join(dir, "sites", "group.yaml"), "rules:\n  - match: localhost\n    peer: cloud\n");
    const config = join(dir, "ingress.yaml");
    await writeFile(config, [
      "listeners:",
      "  - listen: 127.0.0.1:0",
      "    rules: sites/group.yaml",
      "peers:",
      `  east: { address: '127.0.0.1:${east.port}', servername: localhost }`,
      `  west: { address: '127.0.0.1:${west.port}', servername: localhost }`,
      "peerGroups: { cloud: [east, west] }",
      "tls: { ca: pki/ca.pem, cert: pki/ingress.pem, key: pki/ingress-key.pem }",
      "admin: { listen: '127.0.0.1:0', peerProbeIntervalMs: 150 }",
      "shutdownGraceMs: 200",
      "",
    ].join("\n"));
    const ingress = workspace.startNode("ingress", config);
    const [listening, adminLine] = await Promise.all([ingress.waitFor("listening"), ingress.waitFor("admin.listening")]);
    const port = portOf(listening);
    const admin = portOf(adminLine);
    await waitUntil(async () => (await adminGet(admin, "/readyz")).status === 200, "ingress ready", 30_000);

    // One member down: still ready, the body and the metric say which peer is down.
    expect(await east.node.stop()).toBe(0);
    await ingress.waitFor("peer.down", (l) => l.peer === "east", 30_000);
    const oneDown = await adminGet(admin, "/readyz");
    expect(oneDown.status).toBe(200);
    expect(oneDown.body).toMatch(/^ready\n(.*\n)*peer east \(127\.0\.0\.1:\d+\): down: /);
    expect(oneDown.body).toMatch(/peer west \(127\.0\.0\.1:\d+\): up/);
    const metrics = await scrape(admin);
    expect(metrics.get('tlsbridge_peer_up{peer="east"}')).toBe(0);
    expect(metrics.get('tlsbridge_peer_up{peer="west"}')).toBe(1);
    // And the rule is indeed served (failover passes over east).
    for (let i = 0; i < 2; i += 1) {
      const tunnel = await connectThrough(port, `localhost:${echo.port}`);
      expect(tunnel.status).toBe(200);
      tunnel.socket.end("ping");
      expect((await readToEnd(tunnel.socket, tunnel.rest)).data.toString()).toBe("ping");
    }

    // Both down: no rule naming the group can be served.
    expect(await west.node.stop()).toBe(0);
    await ingress.waitFor("peer.down", (l) => l.peer === "west", 30_000);
    const bothDown = await adminGet(admin, "/readyz");
    expect(bothDown.status).toBe(503);
    expect(bothDown.body).toMatch(/^not ready\n/);
    expect(bothDown.body).toMatch(/peer east \(127\.0\.0\.1:\d+\): down: /);
    expect(bothDown.body).toMatch(/peer west \(127\.0\.0\.1:\d+\): down: /);
    expect(bothDown.body).toContain("unreachable: peer group cloud (east, west), no peer up for the rule at sites/group.yaml:2:5");
  }, 60_000);
});
