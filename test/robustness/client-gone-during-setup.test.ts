// Regression: a client that reset its connection while the tunnel was being set up (the ingress
// waiting for the peer's answer, or the peer waiting for DNS and the service) left the tunnel
// behind for good. The node went on to answer 200 and splice the dead socket with the live leg;
// splice() waits for a 'close' from both sockets and the dead one had emitted its 'close' already,
// so the tunnel never ended: its limiter slot and registry entry were never released (after
// maxTunnelsPerClient such resets a client got 503 forever, and shutdown had to cut it), and the
// other leg stayed open until its idle timeout. The same happened when shutdown aborted a tunnel
// whose service dial was under way: the service connection made afterwards was never closed.
// The DNS lookup of `slow.test` is held back here to make the set-up slow enough to race.
import dns from "node:dns";
import net from "node:net";
import tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { listenOnLoopbackTracked } from "../helpers/services.ts";
import type { TrackedService } from "../helpers/services.ts";
import { testPki } from "../helpers/pki.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const DNS_DELAY_MS = 600;
const lookup = dns.promises.lookup.bind(dns.promises);

function slowDns(): void {
  vi.spyOn(dns.promises, "lookup").mockImplementation((async (host: string, options: unknown) => {
    if (host !== "slow.test") return lookup(host, options as dns.LookupAllOptions);
    await new Promise((r) => setTimeout(r, DNS_DELAY_MS));
    return [{ address: "127.0.0.1", family: 4 }];
  }) as typeof dns.promises.lookup);
}

function startEcho(): Promise<TrackedService> {
  return listenOnLoopbackTracked(net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => {});
    socket.pipe(socket);
  }));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends a CONNECT to the ingress, then resets the connection before the answer can come. */
async function connectAndReset(port: number, authority: string): Promise<void> {
  const socket = net.connect({ port, host: "127.0.0.1" });
  socket.on("error", () => {});
  await new Promise<void>((r) => socket.once("connect", () => r()));
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  await sleep(150);
  socket.resetAndDestroy();
}

for (const mode of ["h1", "h2"] as const) {
  describe(`a client that resets during set-up (ingress, mode ${mode})`, () => {
    let nodes: TwoNodes;
    let echo: TrackedService;
    beforeAll(async () => {
      echo = await startEcho();
      nodes = await startTwoNodes({ allow: [{ match: "slow[.]test" }, { match: "127[.]0[.]0[.]1" }], peerMode: mode, ingressLimits: { maxTunnelsPerClient: 1 } });
    });
    afterAll(async () => {
      await nodes.close();
      await echo.close();
    });
    afterEach(() => vi.restoreAllMocks());

    it("releases its slot and closes the peer leg and the service connection", async () => {
      slowDns();
      await connectAndReset(nodes.ingressPort, `slow.test:${echo.port}`);
      await sleep(DNS_DELAY_MS + 200); // the peer has answered by now
      await waitUntil(() => nodes.ingress.activeConnections() === 0, "the ingress forgot the tunnel", 3_000);
      await waitUntil(() => nodes.peer.activeConnections() === 0 && echo.openConnections() === 0,
        "the peer leg and the service connection closed", 3_000);
      // maxTunnelsPerClient is 1: the slot is free again.
      vi.restoreAllMocks();
      const socket = net.connect({ port: nodes.ingressPort, host: "127.0.0.1" });
      const head = await new Promise<string>((resolve, reject) => {
        socket.once("error", reject);
        socket.once("data", (chunk: Buffer) => resolve(chunk.toString("latin1")));
        socket.write(`CONNECT 127.0.0.1:${echo.port} HTTP/1.1\r\nHost: 127.0.0.1:${echo.port}\r\n\r\n`);
      });
      socket.destroy();
      expect(head.split("\r\n")[0]).toBe("HTTP/1.1 200 Connection Established");
    });
  });
}

describe("an ingress connection reset during set-up, or shutdown during the service dial (peer, mode h1)", () => {
  let nodes: TwoNodes;
  let echo: TrackedService;
  beforeAll(async () => {
    echo = await startEcho();
    nodes = await startTwoNodes({ allow: [{ match: "slow[.]test" }] });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });
  afterEach(() => vi.restoreAllMocks());

  /** A TLS connection to the peer with the ingress's certificate, and the TCP socket under it. */
  async function dialPeer(): Promise<{ socket: tls.TLSSocket; raw: net.Socket }> {
    const pki = await testPki();
    const raw = net.connect({ port: nodes.peer.port, host: "127.0.0.1" });
    raw.on("error", () => {});
    const socket = tls.connect({ socket: raw, ca: pki.ca.cert, cert: pki.ingress.cert, key: pki.ingress.key, servername: "localhost" });
    socket.on("error", () => {});
    await new Promise<void>((r) => socket.once("secureConnect", () => r()));
    return { socket, raw };
  }

  it("an ingress that resets: the peer releases the tunnel and closes the service connection", async () => {
    slowDns();
    const { socket, raw } = await dialPeer();
    socket.write(`CONNECT slow.test:${echo.port} HTTP/1.1\r\nHost: slow.test:${echo.port}\r\n\r\n`);
    await sleep(150);
    raw.resetAndDestroy();
    await sleep(DNS_DELAY_MS + 200);
    await waitUntil(() => nodes.peer.activeConnections() === 0 && echo.openConnections() === 0,
      "the peer forgot the tunnel and closed the service connection", 3_000);
  });

  it("shutdown during the dial: the service connection made afterwards is closed", async () => {
    slowDns();
    const { socket } = await dialPeer();
    socket.write(`CONNECT slow.test:${echo.port} HTTP/1.1\r\nHost: slow.test:${echo.port}\r\n\r\n`);
    await sleep(150);
    await nodes.peer.close(0);
    await sleep(200);
    await waitUntil(() => echo.openConnections() === 0, "the service connection closed", 2_000);
    expect(nodes.peer.activeConnections()).toBe(0);
  });
});
