// `clients:` on an ingress listener (issue 11): only clients whose address is in a listed network
// may connect. Real curl from 127.0.0.2 (admitted) and 127.0.0.1 (not): the refused one is reset at
// accept, before any byte of it is read (no request parsed, no TLS handshake on an HTTPS-proxy
// listener), and the refusal is logged as `client.refused` and counted in
// `tlsbridge_clients_refused_total`. Loopback aliases 127.0.0.x need no setup on Linux.
import { execFile } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientNetworks } from "@tlsbridge/rules";
import { createTunnelMetrics } from "../../packages/runtime/src/prom-metrics.ts";
import type { PromTunnelMetrics } from "../../packages/runtime/src/prom-metrics.ts";
import { parseMetrics } from "../helpers/ops-nodes.ts";
import { testPki, writeTestPki } from "../helpers/pki.ts";
import { startHttpService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";
import { readToEnd } from "../helpers/tunnel-probe.ts";

const run = promisify(execFile);
const REFUSED_METRIC = 'tlsbridge_clients_refused_total{site="test"}';

/** curl through the proxy; resolves with the exit code, body and stderr. */
async function curl(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("curl", ["-sS", "--max-time", "10", "-p", ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function refusedCount(metrics: PromTunnelMetrics): Promise<number | undefined> {
  return parseMetrics(await metrics.registry.metrics()).get(REFUSED_METRIC);
}

describe("clients: allow-list on a plain listener", () => {
  let nodes: TwoNodes;
  let service: TestService;
  let metrics: PromTunnelMetrics;
  beforeAll(async () => {
    service = await startHttpService();
    metrics = createTunnelMetrics();
    nodes = await startTwoNodes({ ingressClients: ["127.0.0.2/32", "::ffff:10.0.0.0/104"], ingressMetrics: metrics.sink });
  });
  afterAll(async () => {
    await nodes.close();
    await service.close();
  });

  it("serves curl from an admitted address", async () => {
    const result = await curl(["-x", `http://127.0.0.1:${nodes.ingressPort}`, "--interface", "127.0.0.2", `http://127.0.0.1:${service.port}/in`]);
    expect(result).toMatchObject({ code: 0, stdout: "hello from /in" });
  });

  it("resets curl from any other address before reading its request; logs and counts the refusal", async () => {
    const result = await curl(["-x", `http://127.0.0.1:${nodes.ingressPort}`, "--interface", "127.0.0.1", `http://127.0.0.1:${service.port}/out`]);
    // The reset, however it meets curl: 56 "Recv failure: Connection reset by peer", 55 on sending,
    // 52 "Empty reply", or 7 when it lands before curl saw its connect complete. Never a response.
    expect([7, 52, 55, 56]).toContain(result.code);
    expect(result.stdout).toBe("");
    const refused = await nodes.ingressLog.waitFor("client.refused");
    expect(refused).toMatchObject({ site: "test", level: 30 });
    expect(refused.client).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await refusedCount(metrics)).toBe(1);
    // Nothing of the request was read: no request line logged, no tunnel, nothing at the peer.
    const fromRefused = nodes.ingressLog.lines.filter((l) => l.client === refused.client);
    expect(fromRefused.map((l) => l.event)).toEqual(["client.refused"]);
    const peerOpens = nodes.peerLog.events("tunnel.open").filter((l) => l.target === `127.0.0.1:${service.port}`);
    expect(peerOpens.map((l) => l.client)).toEqual([expect.stringMatching(/^127\.0\.0\.2:/)]); // the admitted client's only
  });

  it("a scan from a refused address is counted connection by connection but logged once a minute", async () => {
    const before = (await refusedCount(metrics)) ?? 0;
    const lines = nodes.ingressLog.events("client.refused").length;
    for (let i = 0; i < 20; i++) {
      const { data } = await readToEnd(net.connect({ host: "127.0.0.1", port: nodes.ingressPort, localAddress: "127.0.0.1" }));
      expect(data.length).toBe(0);
    }
    expect(await refusedCount(metrics)).toBe(before + 20);
    expect(nodes.ingressLog.events("client.refused")).toHaveLength(lines);
  });
});

describe("clients: allow-list and reload", () => {
  it("a reload that changes clients applies to the next connection", async () => {
    const service = await startHttpService();
    const nodes = await startTwoNodes({ ingressClients: ["127.0.0.2/32"] });
    try {
      const args = ["-x", `http://127.0.0.1:${nodes.ingressPort}`, "--interface", "127.0.0.1", `http://127.0.0.1:${service.port}/reloaded`];
      expect((await curl(args)).code).not.toBe(0);
      const [listener] = nodes.ingressOptions.listeners;
      if (listener === undefined) throw new Error("no listener");
      nodes.ingress.reload({
        ...nodes.ingressOptions,
        listeners: [{ ...listener, clients: ClientNetworks.fromStrings(["127.0.0.0/8"]) }],
      });
      expect(await curl(args)).toMatchObject({ code: 0, stdout: "hello from /reloaded" });
    } finally {
      await nodes.close();
      await service.close();
    }
  });
});

describe("clients: allow-list on an HTTPS-proxy listener", () => {
  let nodes: TwoNodes;
  let service: TestService;
  beforeAll(async () => {
    const pki = await testPki();
    service = await startHttpService();
    nodes = await startTwoNodes({ ingressListenerTls: pki.peer, ingressClients: ["127.0.0.2"] });
  });
  afterAll(async () => {
    await nodes.close();
    await service.close();
  });

  it("serves an admitted client over TLS", async () => {
    const files = await writeTestPki();
    const result = await curl([
      "-x", `https://127.0.0.1:${nodes.ingressPort}`, "--proxy-cacert", files.ca.cert, "--interface", "127.0.0.2",
      `http://127.0.0.1:${service.port}/tls-in`,
    ]);
    expect(result).toMatchObject({ code: 0, stdout: "hello from /tls-in" });
  });

  it("resets a refused client before the TLS handshake: its ClientHello gets not one byte back", async () => {
    const socket = net.connect({ host: "127.0.0.1", port: nodes.ingressPort, localAddress: "127.0.0.1" });
    // The first bytes of a TLS 1.2+ ClientHello record; a handshake would answer with a ServerHello or an alert.
    socket.on("connect", () => socket.write(Buffer.from("16030100c8010000c40303", "hex")));
    const { data, ended } = await readToEnd(socket);
    expect(data.length).toBe(0);
    expect(ended).toBe("error");
    const refused = await nodes.ingressLog.waitFor("client.refused");
    expect(refused.client).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(nodes.ingressLog.events("request.rejected")).toEqual([]);
  });
});
