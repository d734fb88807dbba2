// Health that routes (issue 14), with real processes: an ingress whose rule names a group of two
// peers, with `peerHealth:`. A member whose probes fail is ejected (peer.ejected, counted) and no
// tunnel dials it any more (no failover from it: it is not tried); restarted, it passes its probes,
// returns (peer.returned, counted) and carries tunnels again; a reload meanwhile does not put it back
// (the peer is on the same route). A member whose tunnels' dials fail is
// ejected passively, before any probe sees it. A refusal from a peer that answered never ejects.
// `/status` lists the member as ejected while it is out of rotation (issue 15).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { adminGet, openOpsWorkspace, portOf, scrape } from "../helpers/ops-nodes.ts";
import type { OpsNode, OpsWorkspace } from "../helpers/ops-nodes.ts";
import { readToEnd } from "../helpers/tunnel-probe.ts";

let workspace: OpsWorkspace;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-ops-peer-health-");
});

afterAll(() => workspace.close());

/** Each peer's `ejected` in the ingress's `/status`. */
async function ejectedInStatus(admin: number): Promise<Record<string, boolean>> {
  const status = JSON.parse((await adminGet(admin, "/status")).body) as { peers: Array<{ name: string; ejected: boolean }> };
  return Object.fromEntries(status.peers.map((p) => [p.name, p.ejected]));
}

async function startPeer(name: string, listen = "127.0.0.1:0"): Promise<{ node: OpsNode; port: number }> {
  const node = workspace.startNode("peer", await workspace.writePeerConfig(`${name}.yaml`, ["shutdownGraceMs: 200"], listen));
  return { node, port: portOf(await node.waitFor("listening")) };
}

/** Starts an ingress whose rules send localhost to group `cloud` = [first, second] and example.org to it too. */
async function startIngress(name: string, first: number, second: number, health: string): Promise<{ node: OpsNode; port: number; admin: number }> {
  const { dir } = workspace;
  await writeFile(join(dir, "sites", `${name}.yaml`), "rules:\n  - match: localhost|not-allowed[.]example\n    peer: cloud\n");
  const config = join(dir, `${name}.yaml`);
  await writeFile(config, [
    "listeners:",
    "  - listen: 127.0.0.1:0",
    `    rules: sites/${name}.yaml`,
    "peers:", // mode h1: each tunnel is its own dial, which is what the passive ejection counts
    `  first: { address: '127.0.0.1:${first}', servername: localhost, mode: h1 }`,
    `  second: { address: '127.0.0.1:${second}', servername: localhost, mode: h1 }`,
    "peerGroups: { cloud: [first, second] }",
    `peerHealth: ${health}`,
    "tls: { ca: pki/ca.pem, cert: pki/ingress.pem, key: pki/ingress-key.pem }",
    "admin: { listen: '127.0.0.1:0' }",
    "shutdownGraceMs: 200",
    "",
  ].join("\n"));
  const node = workspace.startNode("ingress", config);
  const [listening, admin] = await Promise.all([node.waitFor("listening"), node.waitFor("admin.listening")]);
  return { node, port: portOf(listening), admin: portOf(admin) };
}

/** One tunnel to the echo service; returns the peer the ingress logged for it. */
async function tunnelVia(ingress: { node: OpsNode; port: number }): Promise<string> {
  const opened = ingress.node.lines.filter((l) => l.event === "tunnel.open").length;
  const tunnel = await connectThrough(ingress.port, `localhost:${workspace.echo.port}`);
  expect(tunnel.status).toBe(200);
  tunnel.socket.end("ping");
  expect((await readToEnd(tunnel.socket, tunnel.rest)).data.toString()).toBe("ping");
  await ingress.node.waitFor("tunnel.close", () => ingress.node.lines.filter((l) => l.event === "tunnel.close").length > opened);
  return String(ingress.node.lines.filter((l) => l.event === "tunnel.open")[opened]?.peer);
}

const failovers = (node: OpsNode): number => node.lines.filter((l) => l.event === "peer.failover").length;

describe("peerHealth: group members out of rotation and back", () => {
  it("ejects a member whose probes fail, routes around it without dialing it, and takes it back once it passes", async () => {
    const first = await startPeer("health-first");
    const second = await startPeer("health-second");
    const ingress = await startIngress("health-active", first.port, second.port, "{ intervalMs: 200, failuresToEject: 2, passesToReturn: 2 }");
    // Both in rotation: tunnels alternate.
    expect(new Set([await tunnelVia(ingress), await tunnelVia(ingress)])).toEqual(new Set(["first", "second"]));
    // A refusal from a peer that answered is not a failure: both stay in rotation.
    for (let i = 0; i < 3; i++) {
      const refused = await connectThrough(ingress.port, "not-allowed.example:443");
      refused.socket.destroy();
      expect(refused.status).toBe(403);
    }

    expect(await first.node.stop()).toBe(0);
    const ejected = await ingress.node.waitFor("peer.ejected", (l) => l.peer === "first", 30_000);
    expect(ejected).toMatchObject({ reason: "probe", failures: 2, level: 40 });
    const before = failovers(ingress.node);
    for (let i = 0; i < 4; i++) expect(await tunnelVia(ingress)).toBe("second");
    expect(failovers(ingress.node)).toBe(before); // not even tried
    expect((await scrape(ingress.admin)).get('tlsbridge_peer_ejections_total{peer="first",reason="probe"}')).toBe(1);
    expect(await ejectedInStatus(ingress.admin)).toEqual({ first: true, second: false });

    // A reload that leaves the member on the same route keeps it out of rotation (it used to put every member back).
    await writeFile(join(workspace.dir, "sites", "health-active.yaml"), "# reloaded\nrules:\n  - match: localhost|not-allowed[.]example\n    peer: cloud\n");
    ingress.node.signal("SIGHUP");
    await ingress.node.waitFor("config.reloaded");
    expect(await ejectedInStatus(ingress.admin)).toEqual({ first: true, second: false });
    for (let i = 0; i < 4; i++) expect(await tunnelVia(ingress)).toBe("second");
    expect(failovers(ingress.node)).toBe(before);

    const back = await startPeer("health-first-again", `127.0.0.1:${first.port}`);
    expect(await ingress.node.waitFor("peer.returned", (l) => l.peer === "first", 30_000)).toMatchObject({ passes: 2 });
    const peers = new Set<string>();
    for (let i = 0; i < 2; i++) peers.add(await tunnelVia(ingress));
    expect(peers).toEqual(new Set(["first", "second"]));
    const metrics = await scrape(ingress.admin);
    expect(metrics.get('tlsbridge_peer_returns_total{peer="first"}')).toBe(1);
    expect(await ejectedInStatus(ingress.admin)).toEqual({ first: false, second: false });
    expect(metrics.get('tlsbridge_peer_ejections_total{peer="second",reason="probe"}')).toBeUndefined();
    expect(ingress.node.lines.filter((l) => l.event === "peer.ejected")).toHaveLength(1);
    await Promise.all([ingress.node.stop(), second.node.stop(), back.node.stop()]);
  }, 90_000);

  it("ejects a member whose tunnels cannot dial it, before its next probe", async () => {
    const first = await startPeer("passive-first");
    const second = await startPeer("passive-second");
    // One failure ejects; the probe runs at start and then not for an hour: only dials can tell.
    const ingress = await startIngress("health-passive", first.port, second.port, "{ intervalMs: 3600000, failuresToEject: 1, passesToReturn: 1 }");
    expect(await tunnelVia(ingress)).toBe("first"); // the group starts with its first member
    // The start probe holds its connection open a moment (to see a refusal); stopping `first` inside
    // that moment would fail the probe and eject it as `probe`. Wait until the probe has left.
    await first.node.waitFor("request.rejected", (l) => l.msg === "ingress left before a request");
    expect(await first.node.stop()).toBe(0);
    // The next tunnel that starts with `first` fails over from it, and that dial ejects it.
    for (let i = 0; i < 2; i++) expect(await tunnelVia(ingress)).toBe("second");
    const ejected = await ingress.node.waitFor("peer.ejected", (l) => l.peer === "first");
    expect(ejected).toMatchObject({ reason: "dial", failures: 1 });
    expect((await scrape(ingress.admin)).get('tlsbridge_peer_ejections_total{peer="first",reason="dial"}')).toBe(1);
    await Promise.all([ingress.node.stop(), second.node.stop()]);
  }, 60_000);
});
