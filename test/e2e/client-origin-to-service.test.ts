// Who the client was, carried to the far side (issue 11): the ingress puts `Forwarded: for=...`
// (and the proxy user) on the replayed CONNECT in place of anything the client sent, the peer logs
// `client` and `user` on tunnel.open and tunnel.close, and a service whose allow entry says
// `proxyProtocol: v2` gets a PROXY v2 header with the ORIGINAL client's address and port (not the
// ingress's or the peer's). Real curl from 127.0.0.2 and ::1, in both peer modes; the service
// decodes the header itself (test/helpers/proxy-v2-service.ts) and the test checks its bytes.
import { execFile } from "node:child_process";
import tls from "node:tls";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@tlsbridge/ingress";
import { testPki } from "../helpers/pki.ts";
import { startProxyV2Service } from "../helpers/proxy-v2-service.ts";
import type { ProxyV2Service } from "../helpers/proxy-v2-service.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";
import { readToEnd } from "../helpers/tunnel-probe.ts";
import { LOOPBACK_ADDRESSES } from "../helpers/loopback-addresses.ts";

const run = promisify(execFile);
const PASSWORD = "origin-test-password";
const COST = { ln: 14, r: 8, p: 1 };
const SIGNATURE = "0d0a0d0a000d0a515549540a";
const hex16 = (n: number): string => n.toString(16).padStart(4, "0");

/** The client's port as the ingress logged it on tunnel.open (`client` is `address:port`). */
function portOf(client: unknown): number {
  return Number(String(client).slice(String(client).lastIndexOf(":") + 1));
}

describe.each(["h1", "h2"] as const)("client origin to the peer and the service, mode %s", (mode) => {
  let v4: TwoNodes; // listener on an IPv4-mapped address: an IPv4 client appears as ::ffff:127.0.0.2
  let v6: TwoNodes; // listener on ::1
  let service4: ProxyV2Service;
  let service6: ProxyV2Service;
  beforeAll(async () => {
    service4 = await startProxyV2Service("127.0.0.1");
    service6 = await startProxyV2Service("::1");
    const users = new Map([["alice", await hashPassword(PASSWORD, COST)]]);
    const allow = [
      { match: "127[.]0[.]0[.]1", ports: [service4.port], proxyProtocol: "v2" as const, addresses: LOOPBACK_ADDRESSES },
      { match: "::1", ports: [service6.port], proxyProtocol: "v2" as const, addresses: LOOPBACK_ADDRESSES },
    ];
    v4 = await startTwoNodes({ peerMode: mode, allow, ingressAuth: users, ingressHost: "::ffff:127.0.0.1" });
    v6 = await startTwoNodes({ peerMode: mode, allow, ingressHost: "::1" });
  });
  afterAll(async () => {
    await v4.close();
    await v6.close();
    await service4.close();
    await service6.close();
  });

  it("IPv4 client: Forwarded replaces the client's own, the peer logs client and user, the service gets TCP4 with the client's port", async () => {
    const { stdout } = await run("curl", [
      "-sS", "--max-time", "10", "-p", "-x", `http://127.0.0.1:${v4.ingressPort}`, "--proxy-user", `alice:${PASSWORD}`,
      "--interface", "127.0.0.2", "--proxy-header", 'Forwarded: for="198.51.100.66:666";user=mallory',
      `http://127.0.0.1:${service4.port}/who`,
    ]);
    const ingressOpen = await v4.ingressLog.waitFor("tunnel.open", (l) => l.target === `127.0.0.1:${service4.port}`);
    expect(ingressOpen.client).toMatch(/^::ffff:127\.0\.0\.2:\d+$/);
    const clientPort = portOf(ingressOpen.client);
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({
      command: "PROXY", family: "TCP4", source: `127.0.0.2:${clientPort}`, destination: `127.0.0.1:${service4.port}`,
    });
    expect(seen.bytes).toBe(`${SIGNATURE}2111000c` + "7f000002" + "7f000001" + hex16(clientPort) + hex16(service4.port));

    for (const event of ["tunnel.open", "tunnel.close"]) {
      const line = await v4.peerLog.waitFor(event, (l) => l.tunnel === ingressOpen.tunnel);
      expect(line, event).toMatchObject({ client: `127.0.0.2:${clientPort}`, user: "alice" });
    }
    expect(JSON.stringify(v4.peerLog.lines)).not.toContain("198.51.100.66");
    expect(JSON.stringify(v4.peerLog.lines)).not.toContain("mallory");
  });

  it("IPv6 client: the peer logs [::1]:port, the service gets TCP6 with the client's port", async () => {
    const { stdout } = await run("curl", [
      "-sS", "--max-time", "10", "-p", "-x", `http://[::1]:${v6.ingressPort}`, `http://[::1]:${service6.port}/who6`,
    ]);
    const ingressOpen = await v6.ingressLog.waitFor("tunnel.open", (l) => l.target === `[::1]:${service6.port}`);
    const clientPort = portOf(ingressOpen.client);
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({
      command: "PROXY", family: "TCP6", source: `[0:0:0:0:0:0:0:1]:${clientPort}`, destination: `[0:0:0:0:0:0:0:1]:${service6.port}`,
    });
    const loopback6 = "00000000000000000000000000000001";
    expect(seen.bytes).toBe(`${SIGNATURE}21210024${loopback6}${loopback6}${hex16(clientPort)}${hex16(service6.port)}`);
    const peerClose = await v6.peerLog.waitFor("tunnel.close", (l) => l.tunnel === ingressOpen.tunnel);
    expect(peerClose.client).toBe(`[::1]:${clientPort}`);
    expect(peerClose).not.toHaveProperty("user");
  });

  it("IPv4 client to an IPv6 service: TCP6 with the client IPv4-mapped", async () => {
    const { stdout } = await run("curl", [
      "-sS", "--max-time", "10", "-p", "-x", `http://127.0.0.1:${v4.ingressPort}`, "--proxy-user", `alice:${PASSWORD}`,
      "--interface", "127.0.0.3", `http://[::1]:${service6.port}/mixed`,
    ]);
    const ingressOpen = await v4.ingressLog.waitFor("tunnel.open", (l) => String(l.client).startsWith("::ffff:127.0.0.3:"));
    const clientPort = portOf(ingressOpen.client);
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({ command: "PROXY", family: "TCP6", source: `[0:0:0:0:0:ffff:7f00:3]:${clientPort}` });
  });
});

describe("a CONNECT without Forwarded (an ingress that does not say who the client was)", () => {
  let nodes: TwoNodes;
  let service: ProxyV2Service;
  beforeAll(async () => {
    service = await startProxyV2Service("127.0.0.1");
    nodes = await startTwoNodes({ allow: [{ match: "127[.]0[.]0[.]1", proxyProtocol: "v2", addresses: LOOPBACK_ADDRESSES }] });
  });
  afterAll(async () => {
    await nodes.close();
    await service.close();
  });

  it("gives the service a LOCAL header and logs no client at the peer", async () => {
    const pki = await testPki();
    const socket = tls.connect({
      host: "127.0.0.1", port: nodes.peer.port, servername: "localhost", ca: pki.ca.cert, cert: pki.ingress.cert, key: pki.ingress.key,
    });
    await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
    const authority = `127.0.0.1:${service.port}`;
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\nGET /local HTTP/1.1\r\nHost: x\r\n\r\n`);
    const { data } = await readToEnd(socket);
    const text = data.toString("latin1");
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    const seen = JSON.parse(text.slice(text.lastIndexOf("\r\n\r\n") + 4)) as Record<string, unknown>;
    expect(seen).toMatchObject({ command: "LOCAL", family: "UNSPEC", bytes: `${SIGNATURE}20000000` });
    const open = await nodes.peerLog.waitFor("tunnel.open", (l) => l.target === authority);
    expect(open).not.toHaveProperty("client");
  });
});
