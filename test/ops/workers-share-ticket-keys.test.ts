// `workers: 2` at the peer: each worker's tls.Server had its own random ticket keys, so an
// ingress's TLS ticket resumed only when the kernel (SO_REUSEPORT) handed the next connection to the
// worker that issued it, and about half of the handshakes were full ones. The supervisor now makes
// one key set and hands it to every worker: every connection after the first resumes, whichever
// worker accepts it. The ingress's HTTPS-proxy listeners (`tls:` on a listener) had the same
// per-worker keys, so a proxy client's resumption missed about half the time; they share them too.
import { once } from "node:events";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { readToEnd, waitUntil } from "../helpers/tunnel-probe.ts";
import { openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import type { OpsWorkspace } from "../helpers/ops-nodes.ts";

let workspace: OpsWorkspace;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-ops-ticket-keys-");
});

afterAll(() => workspace.close());

describe("workers: 2 at the peer", () => {
  it.skipIf(process.platform !== "linux")("resumes the ingress's TLS session whichever worker accepts the connection", async () => {
    const peer = workspace.startNode("peer", await workspace.writePeerConfig("peer.yaml", ["workers: 2", "shutdownGraceMs: 200"]));
    await waitUntil(() => peer.lines.filter((l) => l.event === "listening").length === 2, "two peer workers listening", 30_000);
    const peerPort = portOf(peer.lines.find((l) => l.event === "listening") ?? {});
    const ingress = workspace.startNode("ingress", await workspace.writeIngressConfig("ingress.yaml", peerPort, ["shutdownGraceMs: 200"], "h1"));
    const port = portOf(await ingress.waitFor("listening"));

    const tunnels = 16;
    for (let i = 0; i < tunnels; i += 1) {
      const tunnel = await connectThrough(port, `localhost:${workspace.echo.port}`);
      expect(tunnel.status).toBe(200);
      tunnel.socket.end("ping");
      expect((await readToEnd(tunnel.socket, tunnel.rest)).data.toString()).toBe("ping");
    }
    await waitUntil(() => peer.lines.filter((l) => l.event === "tunnel.close").length === tunnels, "every tunnel closed at the peer");
    // Both workers served some of them (16 connections all to one worker: 2^-15 with random ports).
    const servedBy = new Set(peer.lines.filter((l) => l.event === "tunnel.open").map((l) => l.pid));
    expect(servedBy.size).toBe(2);
    const opens = ingress.lines.filter((l) => l.event === "tunnel.open").map((l) => (l.peerTls as { resumed: boolean }).resumed);
    expect(opens).toHaveLength(tunnels);
    expect(opens.slice(1).every((resumed) => resumed)).toBe(true);

    expect(await ingress.stop()).toBe(0);
    expect(await peer.stop()).toBe(0);
  });
});

/** One TLS connection to an HTTPS-proxy listener offering `session`: its status line, whether it resumed, its ticket. */
async function proxyOverTls(port: number, ca: Buffer, session: Buffer | undefined): Promise<{ status: string; resumed: boolean; ticket: Buffer | undefined }> {
  const socket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca, ...(session !== undefined ? { session } : {}) });
  let ticket: Buffer | undefined;
  socket.on("session", (t: Buffer) => (ticket = t));
  await once(socket, "secureConnect");
  const resumed = socket.isSessionReused();
  socket.end("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n");
  const { data } = await readToEnd(socket);
  return { status: data.toString("latin1").split("\r\n")[0] ?? "", resumed, ticket };
}

describe("workers: 2 at the ingress, HTTPS-proxy listener", () => {
  it.skipIf(process.platform !== "linux")("resumes a proxy client's TLS session whichever worker accepts the connection", async () => {
    const { dir } = workspace;
    await writeFile(join(dir, "sites", "tls-site.yaml"), "rules:\n  - match: internal[.]example\n    peer: cloud\n");
    await writeFile(join(dir, "ingress-tls.yaml"), [
      "listeners:",
      "  - listen: 127.0.0.1:0",
      "    rules: sites/tls-site.yaml",
      "    tls: { cert: pki/peer.pem, key: pki/peer-key.pem }",
      "peers:",
      "  cloud: { address: '127.0.0.1:9', servername: localhost }",
      "tls: { ca: pki/ca.pem, cert: pki/ingress.pem, key: pki/ingress-key.pem }",
      "workers: 2",
      "shutdownGraceMs: 200",
      "",
    ].join("\n"));
    const ingress = workspace.startNode("ingress", join(dir, "ingress-tls.yaml"));
    await waitUntil(() => ingress.lines.filter((l) => l.event === "listening").length === 2, "two ingress workers listening", 30_000);
    const port = portOf(ingress.lines.find((l) => l.event === "listening") ?? {});
    const ca = await readFile(join(dir, "pki", "ca.pem"));

    const connections = 16;
    const resumed: boolean[] = [];
    let session: Buffer | undefined;
    for (let i = 0; i < connections; i += 1) {
      const answer = await proxyOverTls(port, ca, session);
      expect(answer.status).toBe("HTTP/1.1 403 Forbidden"); // no rule for example.org: answered, over TLS
      resumed.push(answer.resumed);
      session = answer.ticket ?? session;
    }
    await waitUntil(() => ingress.lines.filter((l) => l.event === "route.miss").length === connections, "every request answered");
    const servedBy = new Set(ingress.lines.filter((l) => l.event === "route.miss").map((l) => l.pid));
    expect(servedBy.size).toBe(2);
    expect(resumed.slice(1).every((r) => r)).toBe(true);

    // A reload gives each listener a new TLS context: tickets issued before it still resume after it.
    ingress.signal("SIGHUP");
    const workerPids = [...servedBy];
    await waitUntil(() => workerPids.every((pid) => ingress.lines.some((l) => l.event === "config.reloaded" && l.pid === pid)), "both workers reloaded");
    for (let i = 0; i < 8; i += 1) {
      const answer = await proxyOverTls(port, ca, session);
      expect(answer.resumed, `connection ${i} after the reload`).toBe(true);
      session = answer.ticket ?? session;
    }
    expect(await ingress.stop()).toBe(0);
  });
});
