// The admin listener of real tlsbridge processes: /healthz, /metrics scraped before and
// after traffic (tunnels, bytes, setup time, rule hits, handshakes, refusals, dial failures,
// certificate expiry), and /readyz on the ingress turning 503 while its peer is down, 200 again
// once the peer is back on its port.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { readToEnd, waitUntil } from "../helpers/tunnel-probe.ts";
import { adminGet, openOpsWorkspace, portOf, scrape } from "../helpers/ops-nodes.ts";
import type { OpsNode, OpsWorkspace } from "../helpers/ops-nodes.ts";

let workspace: OpsWorkspace;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-ops-admin-");
});

afterAll(() => workspace.close());

async function startPeer(port: number): Promise<{ node: OpsNode; port: number; admin: number }> {
  const config = await workspace.writePeerConfig(`peer-${port}.yaml`, ["admin: { listen: '127.0.0.1:0' }", "shutdownGraceMs: 200"], `127.0.0.1:${port}`);
  const node = workspace.startNode("peer", config);
  const [listening, admin] = await Promise.all([node.waitFor("listening"), node.waitFor("admin.listening")]);
  return { node, port: portOf(listening), admin: portOf(admin) };
}

/** One tunnel to the echo service: sends `payload`, half-closes, reads the echo. */
async function echoThrough(ingressPort: number, payload: string): Promise<string> {
  const tunnel = await connectThrough(ingressPort, `localhost:${workspace.echo.port}`);
  expect(tunnel.status).toBe(200);
  tunnel.socket.end(payload);
  const { data } = await readToEnd(tunnel.socket, tunnel.rest);
  return data.toString();
}

describe("admin listener: health, metrics, readiness", () => {
  it("counts tunnels, bytes, rules and failures, and /readyz follows the peer", async () => {
    const { echo } = workspace;
    const peer = await startPeer(0);
    const ingressConfig = await workspace.writeIngressConfig("ingress.yaml", peer.port, [
      "admin: { listen: '127.0.0.1:0', peerProbeIntervalMs: 150 }",
      "shutdownGraceMs: 200",
    ]);
    const ingress = workspace.startNode("ingress", ingressConfig);
    const [listening, adminLine] = await Promise.all([ingress.waitFor("listening"), ingress.waitFor("admin.listening")]);
    const port = portOf(listening);
    const admin = portOf(adminLine);

    expect(await adminGet(admin, "/healthz")).toEqual({ status: 200, body: "ok\n" });
    expect((await adminGet(admin, "/nope")).status).toBe(404);
    await waitUntil(async () => (await adminGet(admin, "/readyz")).status === 200, "ingress ready");
    expect((await adminGet(admin, "/readyz")).body).toMatch(/peer cloud \(127\.0\.0\.1:\d+\): up/);

    const before = await scrape(admin);
    expect(before.get('tlsbridge_tunnels_total{outcome="done"}')).toBe(0);
    expect(before.get('tlsbridge_tunnel_bytes_total{direction="up"}')).toBe(0);
    expect(before.get("tlsbridge_tunnels_active")).toBe(0);
    expect(before.get("tlsbridge_tunnel_setup_seconds_count")).toBe(0);
    expect(before.get('tlsbridge_peer_up{peer="cloud"}')).toBe(1);
    const caExpiry = [...before].find(([k]) => k.startsWith("tlsbridge_certificate_expiry_timestamp_seconds{") && k.includes('file="pki/ca.pem"'));
    expect(caExpiry?.[1]).toBeGreaterThan(Date.now() / 1000);

    // Traffic: two tunnels of 5 and 7 bytes each way, one request no rule matches.
    expect(await echoThrough(port, "hello")).toBe("hello");
    expect(await echoThrough(port, "goodbye")).toBe("goodbye");
    expect((await connectThrough(port, `example.org:443`)).status).toBe(403);

    await waitUntil(async () => (await scrape(admin)).get('tlsbridge_tunnels_total{outcome="done"}') === 2, "two closed tunnels counted");
    const after = await scrape(admin);
    expect(after.get('tlsbridge_tunnel_bytes_total{direction="up"}')).toBe(12);
    expect(after.get('tlsbridge_tunnel_bytes_total{direction="down"}')).toBe(12);
    expect(after.get("tlsbridge_tunnels_active")).toBe(0);
    expect(after.get("tlsbridge_tunnel_setup_seconds_count")).toBe(2);
    expect(after.get('tlsbridge_rule_hits_total{site="hq",rule="0"}')).toBe(2);
    expect(after.get('tlsbridge_tunnel_refusals_total{status="403",error="http_request_denied"}')).toBe(1);
    expect(after.get('tlsbridge_tunnels_total{outcome="refused"}')).toBe(1);
    const handshakes = [...after].filter(([k]) => k.startsWith("tlsbridge_peer_handshake_seconds_count{")).reduce((n, [, v]) => n + v, 0);
    expect(handshakes).toBeGreaterThanOrEqual(1);
    // The peer counts the same tunnels from its side.
    const peerAfter = await scrape(peer.admin);
    expect(peerAfter.get('tlsbridge_tunnels_total{outcome="done"}')).toBe(2);
    expect(peerAfter.get('tlsbridge_tunnel_bytes_total{direction="down"}')).toBe(12);

    // The peer goes away: /readyz says which peer is down, tunnels fail with 502 and are counted.
    expect(await peer.node.stop()).toBe(0);
    await waitUntil(async () => (await adminGet(admin, "/readyz")).status === 503, "ingress not ready");
    expect((await adminGet(admin, "/readyz")).body).toMatch(/^not ready\n(.*\n)*peer cloud \(127\.0\.0\.1:\d+\): down: /);
    await ingress.waitFor("peer.down", (l) => l.peer === "cloud");
    expect((await connectThrough(port, `localhost:${echo.port}`)).status).toBe(502);
    const down = await scrape(admin);
    expect(down.get('tlsbridge_dial_failures_total{error="connection_refused"}')).toBe(1);
    expect(down.get('tlsbridge_peer_up{peer="cloud"}')).toBe(0);

    // Back on the same port: ready again, and tunnels flow.
    await startPeer(peer.port);
    await waitUntil(async () => (await adminGet(admin, "/readyz")).status === 200, "ingress ready again");
    await ingress.waitFor("peer.up", (l) => l.peer === "cloud" && ingress.lines.some((d) => d.event === "peer.down"));
    expect(await echoThrough(port, "again")).toBe("again");
  });
});
