// The peer misbehaving, seen from a client of the ingress: answering garbage (502
// http_response_incomplete), never answering (504 at peerResponseTimeoutMs), never finishing
// the TLS handshake (504 at peerConnectTimeoutMs), not speaking TLS at all (502
// tls_protocol_error); a service that never accepts (504 from the peer within serviceConnectTimeoutMs);
// and the service resetting its connection (the reset reaches the client).
// The ingress logs none of it as an error (they are the peer's faults) and keeps no connection.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { testPki } from "../helpers/pki.ts";
import { listenOnLoopbackTracked, startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { expectServed, proxyStatusOf, readToEnd, waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";

/** A stand-in for the peer: where it listens, and how to stop it. */
type FakePeer = TestService;

/** A TLS server with the real peer certificate that does `behave` with each ingress connection. */
async function fakeTlsPeer(behave: (socket: tls.TLSSocket) => void): Promise<FakePeer> {
  const pki = await testPki();
  const server = tls.createServer({ cert: pki.peer.cert, key: pki.peer.key, ca: pki.ca.cert, requestCert: true }, (socket) => {
    socket.on("error", () => {});
    behave(socket);
  });
  return listenOnLoopbackTracked(server);
}

const PEER_RESPONSE_TIMEOUT_MS = 600;
const PEER_CONNECT_TIMEOUT_MS = 600;

describe("a misbehaving peer", () => {
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
  });
  afterAll(async () => {
    await echo.close();
  });

  /** Starts an ingress whose peer is `fake`, sends one CONNECT, returns the reply and the time it took. */
  // Only the timeout a test is about is short: a real handshake on a loaded machine must not run
  // into a 600 ms connect timeout in a test about something else.
  async function throughFake(fake: FakePeer, limits: { peerResponseTimeoutMs?: number; peerConnectTimeoutMs?: number } = {}) {
    const nodes = await startTwoNodes({
      peerPort: fake.port,
      ingressLimits: { peerResponseTimeoutMs: 20_000, peerConnectTimeoutMs: 20_000, maxHeadBytes: 4_096, ...limits },
    });
    try {
      const started = performance.now();
      const reply = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
      const elapsedMs = performance.now() - started;
      reply.socket.destroy();
      expect(nodes.ingressLog.lines.filter((l) => l.level >= 50)).toEqual([]);
      await waitUntil(() => nodes.ingress.activeConnections() === 0, "the ingress to let go of the refused client");
      return { reply, elapsedMs, nodes };
    } finally {
      await nodes.close();
      await fake.close();
    }
  }

  it.each([
    ["junk with a blank line (an unparsable head)", "SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n"],
    ["an invalid status line", "HTTP/1.1 2OO Okay\r\n\r\n"],
    ["junk and then a close", "\x00\x01\x02 garbage, then goodbye"],
    ["a head larger than maxHeadBytes", `HTTP/1.1 200 OK\r\nX-Fill: ${"y".repeat(8_192)}`],
  ])("%s: 502 http_response_incomplete", async (_name, junk) => {
    const fake = await fakeTlsPeer((socket) => socket.once("data", () => socket.end(junk)));
    const { reply } = await throughFake(fake);
    expect(reply.status).toBe(502);
    expect(proxyStatusOf(reply.headers)).toMatch(/^test-ingress; error=http_response_incomplete; details="[^"]+"$/);
  });

  it("a peer that never answers the CONNECT: 504 connection_timeout after peerResponseTimeoutMs", async () => {
    const fake = await fakeTlsPeer(() => {}); // handshake done, then silence
    const { reply, elapsedMs, nodes } = await throughFake(fake, { peerResponseTimeoutMs: PEER_RESPONSE_TIMEOUT_MS });
    expect(reply.status).toBe(504);
    expect(proxyStatusOf(reply.headers)).toBe('test-ingress; error=connection_timeout; details="peer cloud did not answer in time"');
    // Which timer fired is told by the status, the details and the code, and that the peer was
    // dialed once; the elapsed time only shows it was not early (load only delays timers). An upper
    // bound on it would measure the machine, not the node.
    expect(elapsedMs).toBeGreaterThanOrEqual(PEER_RESPONSE_TIMEOUT_MS - 20);
    expect(nodes.ingressLog.events("peer.dial.failed").map((l) => l.code)).toEqual(["TLSB_ERR_CONNECT_TIMEOUT"]);
  });

  it("a peer that accepts TCP but never finishes the TLS handshake: 504 after peerConnectTimeoutMs", async () => {
    const fake = await listenOnLoopbackTracked(net.createServer((socket) => socket.on("error", () => {})));
    const { reply, elapsedMs, nodes } = await throughFake(fake, { peerConnectTimeoutMs: PEER_CONNECT_TIMEOUT_MS });
    expect(reply.status).toBe(504);
    expect(proxyStatusOf(reply.headers)).toMatch(/^test-ingress; error=connection_timeout; /);
    expect(elapsedMs).toBeGreaterThanOrEqual(PEER_CONNECT_TIMEOUT_MS - 20); // not early; see above for why no upper bound
    expect(nodes.ingressLog.events("peer.dial.failed").map((l) => l.code)).toEqual(["TLSB_ERR_CONNECT_TIMEOUT"]);
  });

  it("a peer address that does not speak TLS: 502 tls_protocol_error", async () => {
    const fake = await listenOnLoopbackTracked(net.createServer((socket) => {
      socket.on("error", () => {});
      socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    }));
    const { reply } = await throughFake(fake);
    expect(reply.status).toBe(502);
    expect(proxyStatusOf(reply.headers)).toMatch(/^test-ingress; error=tls_protocol_error; /);
  });
});

/**
 * A listening port whose accept queue is full, so a new connection's SYN is dropped and connect()
 * hangs: a service that is there but never answers. Node always accepts, so python3 holds it.
 */
async function unansweringPort(): Promise<{ port: number; close: () => void }> {
  const holder = spawn("python3", ["-c", [
    "import socket, sys",
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)",
    "print(s.getsockname()[1], flush=True)",
    "sys.stdin.read()",
  ].join("\n")], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = (await once(holder.stdout, "data")) as [Buffer];
  const port = Number(line.toString().trim());
  // Fill the queue (backlog 0 holds one); these never get accepted either.
  const fillers = [0, 1, 2].map(() => net.connect({ port, host: "127.0.0.1" }).on("error", () => {}));
  return {
    port,
    close: () => {
      for (const f of fillers) f.destroy();
      holder.kill();
    },
  };
}

const hasPython = spawnSync("python3", ["--version"]).status === 0;

describe.skipIf(!hasPython)("a service that never accepts", () => {
  it("504 connection_timeout from the peer after serviceConnectTimeoutMs, relayed with both members", async () => {
    const silent = await unansweringPort();
    const nodes = await startTwoNodes({ peerLimits: { serviceConnectTimeoutMs: 500 } });
    try {
      const started = performance.now();
      const reply = await connectThrough(nodes.ingressPort, `127.0.0.1:${silent.port}`);
      const elapsedMs = performance.now() - started;
      reply.socket.destroy();
      expect(reply.status).toBe(504);
      expect(proxyStatusOf(reply.headers)).toMatch(/^test-peer; error=connection_timeout; details="[^"]+", test-ingress; received-status=504$/);
      expect(elapsedMs).toBeGreaterThanOrEqual(480); // not early; the code below says which timer fired
      expect((await nodes.peerLog.waitFor("service.dial.failed")).code).toBe("TLSB_ERR_CONNECT_TIMEOUT");
      expect(nodes.peerLog.events("service.dial.failed")).toHaveLength(1);
    } finally {
      await nodes.close();
      silent.close();
    }
  });
});

describe("a service that resets", () => {
  it("the RST reaches the client as a reset, both nodes log upstream_reset, and the next client is served", async () => {
    const resetter = await listenOnLoopbackTracked(net.createServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.resetAndDestroy());
    }));
    const echo = await startEchoService();
    const nodes = await startTwoNodes();
    try {
      const tunnel = await connectThrough(nodes.ingressPort, `localhost:${resetter.port}`);
      expect(tunnel.status).toBe(200);
      const ended = readToEnd(tunnel.socket, tunnel.rest);
      tunnel.socket.write("anything");
      const { ended: how, error } = await ended;
      expect(how).toBe("error");
      expect(error?.code).toBe("ECONNRESET");
      const peerClose = await nodes.peerLog.waitFor("tunnel.close");
      const ingressClose = await nodes.ingressLog.waitFor("tunnel.close");
      expect(peerClose.outcome).toBe("upstream_reset");
      expect(ingressClose.outcome).toBe("upstream_reset");
      expect([...nodes.peerLog.lines, ...nodes.ingressLog.lines].filter((l) => l.level >= 50)).toEqual([]); // routine, not an error
      await expectServed(nodes.ingressPort, echo.port);
    } finally {
      await nodes.close();
      await echo.close();
      await resetter.close();
    }
  });
});
