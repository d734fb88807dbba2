// `workers: 2` at the peer (issue 5): each worker's tls.Server had its own random ticket keys, so an
// ingress's TLS ticket resumed only when the kernel (SO_REUSEPORT) handed the next connection to the
// worker that issued it, and about half of the handshakes were full ones. The supervisor now makes
// one key set and hands it to every worker: every connection after the first resumes, whichever
// worker accepts it.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
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
    const { dir } = workspace;
    await writeFile(join(dir, "peer.yaml"), [
      "listen: 127.0.0.1:0",
      "tls: { ca: pki/ca.pem, cert: pki/peer.pem, key: pki/peer-key.pem }",
      "allow:",
      "  - match: localhost",
      "workers: 2",
      "shutdownGraceMs: 200",
      "",
    ].join("\n"));
    const peer = workspace.startNode("peer", join(dir, "peer.yaml"));
    await waitUntil(() => peer.lines.filter((l) => l.event === "listening").length === 2, "two peer workers listening");
    const peerPort = portOf(peer.lines.find((l) => l.event === "listening") ?? {});
    await writeFile(join(dir, "sites", "hq.yaml"), "rules:\n  - match: localhost\n    peer: cloud\n");
    await writeFile(join(dir, "ingress.yaml"), [
      "listeners:",
      "  - listen: 127.0.0.1:0",
      "    rules: sites/hq.yaml",
      "peers:",
      `  cloud: { address: '127.0.0.1:${peerPort}', servername: localhost }`,
      "tls: { ca: pki/ca.pem, cert: pki/ingress.pem, key: pki/ingress-key.pem }",
      "shutdownGraceMs: 200",
      "",
    ].join("\n"));
    const ingress = workspace.startNode("ingress", join(dir, "ingress.yaml"));
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
