// `GET /status` on real nodes (issue 15): with a tunnel held open it shows the tunnel under its
// site and peer at the ingress and under the ingress at the peer; a refused request shows in the
// recent refusals with its cause, target and client (and no Proxy-Authorization value anywhere), a
// refusal relayed from the peer as `relayed` (the peer lists its own code); a
// broken reload shows as the last rejected reload with file:line:column; a good one raises the
// config generation. Run with `workers: 1` and `workers: 2` (the supervisor asks every worker; a
// killed worker's replacement shows under its slot with one restart).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { readToEnd, waitUntil } from "../helpers/tunnel-probe.ts";
import { adminGet, openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import { closedPort } from "../helpers/services.ts";
import type { OpsWorkspace } from "../helpers/ops-nodes.ts";

let workspace: OpsWorkspace;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-ops-status-");
});

afterAll(() => workspace.close());

/** The parts of `/status` these tests read. */
type Status = {
  node: { name: string; role: string; version: string; uptimeSeconds: number };
  config: { file: string; generation: number; lastReload?: { result: string }; lastRejectedReload?: { time: string; errors: string[] } };
  tunnels: { open: number; bySite: Record<string, number>; byPeer: Record<string, number>; byIngress: Record<string, number> };
  peers: Array<{ name: string; state: string; ejected: boolean; lastProbe?: string; lastHandshake?: string; lastError?: string; lastErrorAt?: string }>;
  certificates: Array<{ file: string; role: string; subject: string; notAfter: string; daysLeft: number }>;
  rules: Array<{ site: string; index: number; match: string; peer: string; hits: number }>;
  refusals: { recent: Array<{ code: string; status: number; target?: string; client?: string; reason: string }>; byCause: Record<string, number> };
  workers: Array<{ slot: number; pid: number; restarts: number; listening: boolean; answered: boolean }>;
};

async function status(admin: number): Promise<Status> {
  const res = await fetch(`http://127.0.0.1:${admin}/status`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  return await res.json() as Status;
}

/** Polls `/status` until `check` passes; returns that document. */
async function statusWhen(admin: number, what: string, check: (s: Status) => boolean): Promise<Status> {
  let last: Status | undefined;
  await waitUntil(async () => check(last = await status(admin)), what);
  return last as Status;
}

describe("GET /status, a peer that was down", () => {
  it("keeps the last probe error and its time after the peer is up again", async () => {
    const peerPort = await closedPort();
    const ingress = workspace.startNode("ingress", await workspace.writeIngressConfig("ingress-down-first.yaml", peerPort, [
      "admin: { listen: '127.0.0.1:0', peerProbeIntervalMs: 200 }", "watchFiles: false", "shutdownGraceMs: 200",
    ]));
    const admin = portOf(await ingress.waitFor("admin.listening"));
    const down = await statusWhen(admin, "peer probed down", (s) => s.peers[0]?.state === "down");
    expect(down.peers[0]).toMatchObject({ lastError: expect.stringContaining("ECONNREFUSED"), lastErrorAt: expect.any(String) });

    const peer = workspace.startNode("peer", await workspace.writePeerConfig("peer-later.yaml", ["shutdownGraceMs: 200"], `127.0.0.1:${peerPort}`));
    await peer.waitFor("listening");
    const up = await statusWhen(admin, "peer probed up", (s) => s.peers[0]?.state === "up");
    const [cloud] = up.peers;
    expect(cloud).toMatchObject({ state: "up", lastError: expect.stringContaining("ECONNREFUSED"), lastErrorAt: expect.any(String) });
    expect(Date.parse(cloud?.lastErrorAt ?? "")).toBeLessThanOrEqual(Date.parse(cloud?.lastHandshake ?? ""));
  });
});

describe.each([1, 2])("GET /status with workers: %i", (workers) => {
  it.skipIf(workers > 1 && process.platform !== "linux")("shows open tunnels, refusals, rule hits, peers, certificates and reloads", async () => {
    const peerConfig = await workspace.writePeerConfig(`peer-${workers}.yaml`, ["admin: { listen: '127.0.0.1:0' }", "shutdownGraceMs: 200"]);
    const peer = workspace.startNode("peer", peerConfig);
    const [peerListening, peerAdminLine] = await Promise.all([peer.waitFor("listening"), peer.waitFor("admin.listening")]);
    const peerAdmin = portOf(peerAdminLine);
    const ingressConfig = await workspace.writeIngressConfig(`ingress-${workers}.yaml`, portOf(peerListening), [
      "admin: { listen: '127.0.0.1:0', peerProbeIntervalMs: 200 }",
      `workers: ${workers}`,
      "watchFiles: false",
      "shutdownGraceMs: 200",
    ]);
    const ingress = workspace.startNode("ingress", ingressConfig);
    const admin = portOf(await ingress.waitFor("admin.listening"));
    await waitUntil(() => ingress.lines.filter((l) => l.event === "listening").length === workers, "every worker listening");
    const port = portOf(ingress.lines.find((l) => l.event === "listening") ?? {});

    const first = await statusWhen(admin, "peer probed up", (s) => s.peers[0]?.state === "up");
    expect(first.node).toMatchObject({ role: "ingress", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(first.config).toMatchObject({ generation: 1 });
    expect(first.tunnels).toEqual({ open: 0, bySite: {}, byPeer: {}, byIngress: {} });
    expect(first.peers).toEqual([expect.objectContaining({ name: "cloud", state: "up", ejected: false, lastProbe: expect.any(String), lastHandshake: expect.any(String) })]);
    expect(first.certificates).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: "pki/ca.pem", role: "ca", daysLeft: expect.any(Number) }),
      expect.objectContaining({ file: "pki/ingress.pem", role: "cert" }),
    ]));
    expect(first.certificates.every((c) => c.daysLeft > 0 && Date.parse(c.notAfter) > Date.now())).toBe(true);
    expect(first.rules).toEqual([expect.objectContaining({ site: "hq", index: 0, match: "localhost", peer: "cloud", hits: 0 })]);
    if (workers > 1) {
      expect(first.workers.map((w) => [w.slot, w.restarts, w.listening, w.answered])).toEqual([[1, 0, true, true], [2, 0, true, true]]);
      expect(new Set(first.workers.map((w) => w.pid)).size).toBe(2);
    } else {
      expect(first.workers).toEqual([]);
    }

    // A tunnel held open: the ingress shows it under site hq and peer cloud, the peer under the ingress.
    const tunnel = await connectThrough(port, `localhost:${workspace.echo.port}`);
    expect(tunnel.status).toBe(200);
    const open = await statusWhen(admin, "the tunnel counted open", (s) => s.tunnels.open === 1);
    expect(open.tunnels).toEqual({ open: 1, bySite: { hq: 1 }, byPeer: { cloud: 1 }, byIngress: {} });
    expect(open.rules[0]?.hits).toBe(1);
    const atPeer = await statusWhen(peerAdmin, "the peer counts the tunnel", (s) => s.tunnels.open === 1);
    expect(atPeer.node.role).toBe("peer");
    expect(atPeer.tunnels.byIngress).toEqual({ "ingress.tlsbridge.test": 1 }); // the CN of the ingress's certificate
    expect(atPeer.peers).toEqual([]);

    // A refusal, carrying a credential that must not show anywhere.
    const secret = Buffer.from("alice:s3cret-Passw0rd").toString("base64");
    const refused = await connectThrough(port, "example.org:443", `Proxy-Authorization: Basic ${secret}\r\n`);
    expect(refused.status).toBe(403);
    refused.socket.destroy();
    const withRefusal = await statusWhen(admin, "the refusal listed", (s) => s.refusals.recent.length === 1);
    expect(withRefusal.refusals.recent[0]).toMatchObject({
      code: "TLSB_ERR_NO_ROUTE", status: 403, target: "example.org:443", client: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
    expect(withRefusal.refusals.byCause).toEqual({ TLSB_ERR_NO_ROUTE: 1 });
    const body = (await adminGet(admin, "/status")).body;
    expect(body).not.toContain(secret);
    expect(body).not.toContain("s3cret");
    expect(body).not.toContain("PRIVATE KEY");
    expect(body).not.toContain("ingress-key.pem");

    // A refusal of the peer's, relayed: `relayed` at the ingress, the peer's own code at the peer.
    const closed = await closedPort();
    const relayed = await connectThrough(port, `localhost:${closed}`);
    expect(relayed.status).toBe(502);
    relayed.socket.destroy();
    const withRelayed = await statusWhen(admin, "the relayed refusal listed", (s) => s.refusals.recent.length === 2);
    expect(withRelayed.refusals.recent[0]).toMatchObject({
      code: "relayed", status: 502, target: `localhost:${closed}`, reason: expect.stringMatching(/^peer cloud answered 502: connection_refused/),
    });
    const peerRefusals = (await statusWhen(peerAdmin, "the peer lists its refusal", (s) => s.refusals.recent.length === 1)).refusals;
    expect(peerRefusals.recent[0]).toMatchObject({ code: "TLSB_ERR_CONNECTION_REFUSED", status: 502, target: `localhost:${closed}`, client: "ingress.tlsbridge.test" });

    // A broken rule file: rejected, shown with where; the tunnel keeps being counted.
    await writeFile(join(workspace.dir, "sites", "hq.yaml"), "rules:\n  - match: localhost\n    peer: nowhere\n");
    ingress.signal("SIGHUP");
    await ingress.waitFor("config.rejected");
    const rejected = await status(admin);
    expect(rejected.config.generation).toBe(1);
    expect(rejected.config.lastReload?.result).toBe("rejected");
    expect(rejected.config.lastRejectedReload?.errors.join("\n")).toMatch(/hq\.yaml:3:\d+.*nowhere/);
    expect(rejected.tunnels.open).toBe(1);

    // Fixed again: applied, the generation goes up, the rejected reload is still shown.
    await writeFile(join(workspace.dir, "sites", "hq.yaml"), "rules:\n  - match: localhost\n    peer: cloud\n  - match: other\n    peer: cloud\n");
    ingress.signal("SIGHUP");
    await ingress.waitFor("config.reloaded");
    const applied = await status(admin);
    expect(applied.config).toMatchObject({ generation: 2, lastReload: { result: "applied" }, lastRejectedReload: rejected.config.lastRejectedReload });
    expect(applied.rules.map((r) => r.match)).toEqual(["localhost", "other"]);

    tunnel.socket.end("bye");
    expect((await readToEnd(tunnel.socket, tunnel.rest)).data.toString()).toBe("bye");
    await statusWhen(admin, "the tunnel counted closed", (s) => s.tunnels.open === 0 && Object.keys(s.tunnels.bySite).length === 0);

    if (workers > 1) {
      // A worker killed outright: its replacement is listed under the same slot, one restart more.
      const victim = applied.workers.find((w) => w.slot === 2)?.pid as number;
      process.kill(victim, "SIGKILL");
      const replaced = await statusWhen(admin, "worker 2 replaced", (s) => s.workers.some((w) => w.slot === 2 && w.restarts === 1 && w.listening));
      expect(replaced.workers.find((w) => w.slot === 2)).toMatchObject({ answered: true, restarts: 1 });
      expect(replaced.workers.find((w) => w.slot === 2)?.pid).not.toBe(victim);
      expect(replaced.workers.find((w) => w.slot === 1)?.restarts).toBe(0);
    }

    await Promise.all([ingress.stop(), peer.stop()]);
    await writeFile(join(workspace.dir, "sites", "hq.yaml"), "rules:\n  - match: localhost\n    peer: cloud\n");
  });
});

describe("admin listener: the status page's headers", () => {
  it("serves / as HTML under a nonce Content-Security-Policy, and lists it in the 404", async () => {
    const peer = workspace.startNode("peer", await workspace.writePeerConfig("peer-page.yaml", ["admin: { listen: '127.0.0.1:0' }", "shutdownGraceMs: 200"]));
    const admin = portOf(await peer.waitFor("admin.listening"));
    const res = await fetch(`http://127.0.0.1:${admin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = res.headers.get("content-security-policy") ?? "";
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<script nonce="${String(nonce)}">`);
    expect(html).toContain('href="/status"');
    // A new nonce every time.
    const again = (await fetch(`http://127.0.0.1:${admin}/`)).headers.get("content-security-policy");
    expect(again).not.toBe(csp);
    expect((await adminGet(admin, "/nope")).body).toContain("/status");
    await peer.stop();
  });
});
