// A SOCKS5 listener (RFC 1928/1929) in front of the same tunnel path as HTTP CONNECT, tried with
// real clients: curl with --socks5-hostname (the name goes unresolved to the peer) and --socks5
// (an IPv4 address), and the `socks` npm client for IPv6, logins and every reply code. Both peer
// modes (h1: a TLS connection per tunnel, h2: CONNECT streams on one connection).
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { SocksClient } from "socks";
import type { SocksProxy } from "socks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@tlsbridge/ingress";
import { testPki } from "../helpers/pki.ts";
import { startDnsServer } from "../helpers/dns-server.ts";
import type { TestDnsServer } from "../helpers/dns-server.ts";
import { closedPort, startEchoService, startHttpService, startHttpsService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";
import { LOOPBACK_ADDRESSES } from "../helpers/loopback-addresses.ts";

const run = promisify(execFile);
const PASSWORD = "correct horse: battery";
// The lowest cost the users file accepts: these tests are about the protocol, not the hash's strength.
const COST = { ln: 14, r: 8, p: 1 };

/** Opens a SOCKS5 CONNECT with the `socks` client, sends `line`, resolves with what came back. */
async function echoThrough(proxy: SocksProxy, host: string, port: number, line: string): Promise<string> {
  const { socket } = await SocksClient.createConnection({ proxy, command: "connect", destination: { host, port }, timeout: 10_000 });
  return await new Promise((resolve, reject) => {
    let got = "";
    socket.on("data", (chunk: Buffer) => {
      got += chunk.toString();
      if (got.length >= line.length) {
        socket.end();
        resolve(got);
      }
    });
    socket.on("error", reject);
    socket.write(line);
  });
}

/** The `socks` client's refusal for a CONNECT to host:port (its message ends with the reply code's name). */
async function refusalOf(proxy: SocksProxy, host: string, port: number): Promise<string> {
  return await SocksClient.createConnection({ proxy, command: "connect", destination: { host, port }, timeout: 10_000 })
    .then(({ socket }) => {
      socket.destroy();
      return "connected";
    }, (err: unknown) => (err as Error).message);
}

describe.each(["h1", "h2"] as const)("SOCKS5 listener, peer mode %s", (peerMode) => {
  let nodes: TwoNodes;
  let web: TestService;
  let secure: TestService;
  let echo: TestService;
  let echo6: TestService;
  let dns: TestDnsServer;
  let caFile: string;
  let proxy: SocksProxy;
  beforeAll(async () => {
    const pki = await testPki();
    caFile = join(tmpdir(), `tlsbridge-socks5-ca-${process.pid}.pem`);
    await writeFile(caFile, pki.ca.cert);
    web = await startHttpService();
    secure = await startHttpsService(pki.service.cert, pki.service.key);
    echo = await startEchoService();
    echo6 = await startEchoService("::1");
    // Names only the peer's resolver knows: a client-side lookup could not find them.
    dns = await startDnsServer({ "localhost": { a: ["127.0.0.1"] }, "only-at-peer.test": { a: ["127.0.0.1"] }, "silent.test": { silent: true } });
    nodes = await startTwoNodes({
      ingressProtocol: "socks5",
      peerMode,
      rules: [{ match: "localhost|(only-at-peer|silent|denied|nxdomain)[.]test|127[.]0[.]0[.]1|::1", peer: "cloud" }],
      allow: [{ match: "localhost|(only-at-peer|silent|nxdomain)[.]test|127[.]0[.]0[.]1|::1", addresses: LOOPBACK_ADDRESSES }],
      peerDns: { servers: [dns.address] },
      peerLimits: { serviceConnectTimeoutMs: 1_000 },
    });
    proxy = { host: "127.0.0.1", port: nodes.ingressPort, type: 5 };
  });
  afterAll(async () => {
    await nodes.close();
    for (const service of [web, secure, echo, echo6]) await service.close();
    await dns.close();
  });

  it("carries curl --socks5-hostname to an HTTP service, the name resolved only by the peer", async () => {
    const { stdout } = await run("curl", ["-sS", "--max-time", "10", "--socks5-hostname", `127.0.0.1:${nodes.ingressPort}`,
      `http://only-at-peer.test:${web.port}/hello`]);
    expect(stdout).toBe("hello from /hello");
    const open = await nodes.ingressLog.waitFor("tunnel.open", (l) => l.target === `only-at-peer.test:${web.port}`);
    expect(open.protocol).toBe("socks5");
    await nodes.peerLog.waitFor("tunnel.open", (l) => l.tunnel === open.tunnel && l.target === `only-at-peer.test:${web.port}`);
  });

  it("carries curl --socks5-hostname to an HTTPS service, curl verifying the service's certificate", async () => {
    const { stdout } = await run("curl", ["-sS", "--max-time", "10", "--cacert", caFile, "--socks5-hostname",
      `127.0.0.1:${nodes.ingressPort}`, `https://localhost:${secure.port}/tls`]);
    expect(stdout).toBe("secure hello from /tls");
  });

  it("carries curl --socks5 to an IPv4 address", async () => {
    const { stdout } = await run("curl", ["-sS", "--max-time", "10", "--socks5", `127.0.0.1:${nodes.ingressPort}`,
      `http://127.0.0.1:${web.port}/v4`]);
    expect(stdout).toBe("hello from /v4");
  });

  it("carries an IPv6 target from the socks client", async () => {
    expect(await echoThrough(proxy, "::1", echo6.port, "over v6")).toBe("over v6");
    await nodes.ingressLog.waitFor("tunnel.open", (l) => l.target === `[::1]:${echo6.port}`);
  });

  it("answers every refusal with its reply code, logged with the same event and status as over HTTP", async () => {
    // No rule: 02, logged as route.miss and request.rejected with the 403 an HTTP client would get.
    expect(await refusalOf(proxy, "example.org", 443)).toMatch(/- NotAllowed$/);
    await nodes.ingressLog.waitFor("route.miss", (l) => l.target === "example.org:443" && l.protocol === "socks5");
    await nodes.ingressLog.waitFor("request.rejected", (l) => l.code === "TLSB_ERR_NO_ROUTE" && l.status === 403 && l.protocol === "socks5");
    // Refused by the peer (its Proxy-Status error type picks the code): not allowed 02, DNS 04,
    // refused 05, timeout 06.
    expect(await refusalOf(proxy, "denied.test", 443)).toMatch(/- NotAllowed$/);
    expect(await refusalOf(proxy, "nxdomain.test", 80)).toMatch(/- HostUnreachable$/);
    expect(await refusalOf(proxy, "localhost", await closedPort())).toMatch(/- ConnectionRefused$/);
    expect(await refusalOf(proxy, "silent.test", 80)).toMatch(/- TTLExpired$/);
    for (const status of [403, 502, 504]) {
      await nodes.ingressLog.waitFor("peer.response", (l) => l.status === status && l.protocol === "socks5");
    }
  });

  it("answers BIND and UDP ASSOCIATE with 07 command not supported", async () => {
    for (const command of ["bind", "associate"] as const) {
      const client = new SocksClient({ proxy, command, destination: { host: "127.0.0.1", port: 9 }, timeout: 10_000 });
      const message = await new Promise<string>((resolve) => {
        client.on("error", (err: Error) => resolve(err.message));
        client.on("bound", () => resolve("bound"));
        client.on("established", () => resolve("established"));
        client.connect();
      });
      expect(message).toMatch(/- CommandNotSupported$/);
    }
    await nodes.ingressLog.waitFor("request.rejected", (l) => l.code === "TLSB_ERR_METHOD_NOT_ALLOWED" && l.protocol === "socks5");
  });

  it("carries bytes both ways with the socks client on a listener without auth", async () => {
    expect(await echoThrough(proxy, "localhost", echo.port, "plain")).toBe("plain");
  });
});

describe("SOCKS5 listener with auth and limits", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  const proxyAs = (userId?: string, password?: string): SocksProxy => ({
    host: "127.0.0.1", port: nodes.ingressPort, type: 5,
    ...(userId !== undefined ? { userId, password: password ?? "" } : {}),
  });
  beforeAll(async () => {
    echo = await startEchoService();
    nodes = await startTwoNodes({
      ingressProtocol: "socks5",
      ingressAuth: new Map([["alice", await hashPassword(PASSWORD, COST)]]),
      ingressLimits: { maxTunnels: 1 },
    });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });

  it("lets alice in with her password (RFC 1929) and logs her name on the tunnel", async () => {
    expect(await echoThrough(proxyAs("alice", PASSWORD), "localhost", echo.port, "as alice")).toBe("as alice");
    const close = await nodes.ingressLog.waitFor("tunnel.close", (l) => l.user === "alice");
    expect(close.protocol).toBe("socks5");
  });

  it("refuses a wrong password and an unknown user with auth status failure, logged as auth.denied", async () => {
    expect(await refusalOf(proxyAs("alice", "wrong"), "localhost", echo.port)).toMatch(/Authentication failed/i);
    await nodes.ingressLog.waitFor("auth.denied", (l) => l.reason === "password" && l.user === "alice");
    expect(await refusalOf(proxyAs("mallory", PASSWORD), "localhost", echo.port)).toMatch(/Authentication failed/i);
    await nodes.ingressLog.waitFor("auth.denied", (l) => l.reason === "user" && l.user === "mallory");
    expect(JSON.stringify(nodes.ingressLog.lines)).not.toContain(PASSWORD);
  });

  it("offers no way in without credentials: a client that only knows no-auth gets 'no acceptable methods'", async () => {
    expect(await refusalOf(proxyAs(), "localhost", echo.port)).toMatch(/no accepted authentication type/i);
    await nodes.ingressLog.waitFor("auth.denied", (l) => l.reason === "missing" && l.protocol === "socks5");
  });

  it("throttles failed logins per address like HTTP proxy auth: the 11th within a minute is refused unchecked", async () => {
    const attempt = (password: string): Promise<string> => SocksClient.createConnection({
      proxy: proxyAs("alice", password), command: "connect", destination: { host: "localhost", port: echo.port },
      timeout: 10_000, socket_options: { host: "127.0.0.1", port: nodes.ingressPort, localAddress: "127.0.0.3" },
    }).then(({ socket }) => {
      socket.destroy();
      return "connected";
    }, (err: unknown) => (err as Error).message);
    for (let i = 0; i < 10; i++) expect(await attempt(`wrong-${i}`)).toMatch(/Authentication failed/i);
    expect(await attempt("still-wrong")).toMatch(/Authentication failed/i);
    await nodes.ingressLog.waitFor("auth.denied", (l) => l.reason === "throttled" && String(l.client).startsWith("127.0.0.3:"));
  });

  it("answers 02 when the node's tunnel cap is reached, logged as tunnel.limited", async () => {
    const { socket: held } = await SocksClient.createConnection({
      proxy: proxyAs("alice", PASSWORD), command: "connect", destination: { host: "localhost", port: echo.port }, timeout: 10_000,
    });
    try {
      expect(await refusalOf(proxyAs("alice", PASSWORD), "localhost", echo.port)).toMatch(/- NotAllowed$/);
      await nodes.ingressLog.waitFor("tunnel.limited", (l) => l.protocol === "socks5" && l.status === 503);
    } finally {
      held.destroy();
    }
  });
});
