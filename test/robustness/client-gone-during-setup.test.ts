// Regression: a client that reset its connection while the tunnel was being set up (the ingress
// waiting for the peer's answer, or the peer waiting for DNS and the service) left the tunnel
// behind for good. The node went on to answer 200 and splice the dead socket with the live leg;
// splice() waits for a 'close' from both sockets and the dead one had emitted its 'close' already,
// so the tunnel never ended: its limiter slot and registry entry were never released (after
// maxTunnelsPerClient such resets a client got 503 forever, and shutdown had to cut it), and the
// other leg stayed open until its idle timeout. The same happened when shutdown aborted a tunnel
// whose service dial was under way: the service connection made afterwards was never closed.
// The DNS lookup of `slow.test` is held back here, until the test lets it go, to make the set-up
// slow enough to race. (It used to be held a fixed 600 ms, with sleeps of 150 ms and 800 ms
// standing in for "the request has reached the peer" and "the peer has answered": on a loaded
// machine the sleeps could end before the events. Now the test waits for the lookup to start.)
import dns from "node:dns";
import { once } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { listenOnLoopbackTracked } from "../helpers/services.ts";
import type { TrackedService } from "../helpers/services.ts";
import { testPki } from "../helpers/pki.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";
import { LOOPBACK_ADDRESSES } from "../helpers/loopback-addresses.ts";

const lookup = dns.promises.lookup.bind(dns.promises);
/**
 * How long the peer test waits after the lookup starts before the ingress resets: the reset then
 * lands in the middle of the DNS wait, as in production. Not a margin against load (a late reset is
 * still during the held lookup); the test without the pause is the one below.
 */
const SETTLE_MS = 150;

/** Holds the lookup of `slow.test`: `started` resolves when the peer asks, `release` answers it. */
type HeldDns = { readonly started: Promise<void>; readonly release: () => void };

function slowDns(): HeldDns {
  let asked = (): void => {};
  const started = new Promise<void>((resolve) => (asked = resolve));
  let release = (): void => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  vi.spyOn(dns.promises, "lookup").mockImplementation((async (host: string, options: unknown) => {
    if (host !== "slow.test") return lookup(host, options as dns.LookupAllOptions);
    asked();
    await released;
    return [{ address: "127.0.0.1", family: 4 }];
  }) as typeof dns.promises.lookup);
  return { started, release };
}

/** An echo service that also counts the connections it accepted. */
async function startEcho(): Promise<TrackedService & { readonly accepted: () => number }> {
  let accepted = 0;
  const service = await listenOnLoopbackTracked(net.createServer({ allowHalfOpen: true }, (socket) => {
    accepted += 1;
    socket.on("error", () => {});
    socket.pipe(socket);
  }));
  return { ...service, accepted: () => accepted };
}

/** Sends a CONNECT to the ingress, then resets the connection once the peer is resolving the name. */
async function connectAndReset(port: number, authority: string, held: HeldDns): Promise<void> {
  const socket = net.connect({ port, host: "127.0.0.1" });
  socket.on("error", () => {});
  await new Promise<void>((r) => socket.once("connect", () => r()));
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  await held.started;
  socket.resetAndDestroy();
}

for (const mode of ["h1", "h2"] as const) {
  describe(`a client that resets during set-up (ingress, mode ${mode})`, () => {
    let nodes: TwoNodes;
    let echo: Awaited<ReturnType<typeof startEcho>>;
    beforeAll(async () => {
      echo = await startEcho();
      nodes = await startTwoNodes({ allow: [{ match: "slow[.]test", addresses: LOOPBACK_ADDRESSES }, { match: "127[.]0[.]0[.]1", addresses: LOOPBACK_ADDRESSES }], peerMode: mode, ingressLimits: { maxTunnelsPerClient: 1 } });
    });
    afterAll(async () => {
      await nodes.close();
      await echo.close();
    });
    afterEach(() => vi.restoreAllMocks());

    it("releases its slot and closes the peer leg and the service connection", async () => {
      const held = slowDns();
      await connectAndReset(nodes.ingressPort, `slow.test:${echo.port}`, held);
      await waitUntil(() => nodes.ingress.activeConnections() === 0, "the ingress forgot the tunnel");
      held.release(); // the peer dials the service and answers now, to an ingress that has gone
      await waitUntil(() => nodes.peer.activeConnections() === 0 && echo.openConnections() === 0,
        "the peer leg and the service connection closed");
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
  let echo: Awaited<ReturnType<typeof startEcho>>;
  beforeAll(async () => {
    echo = await startEcho();
    nodes = await startTwoNodes({ allow: [{ match: "slow[.]test", addresses: LOOPBACK_ADDRESSES }] });
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
    const held = slowDns();
    const { socket, raw } = await dialPeer();
    socket.write(`CONNECT slow.test:${echo.port} HTTP/1.1\r\nHost: slow.test:${echo.port}\r\n\r\n`);
    await held.started;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    raw.resetAndDestroy();
    await once(raw, "close");
    held.release();
    await waitUntil(() => nodes.peer.activeConnections() === 0 && echo.openConnections() === 0,
      "the peer forgot the tunnel and closed the service connection");
  });

  // Regression (issue 9): an ingress reset that reached the peer right as it started resolving (no
  // SETTLE_MS pause) left the tunnel open at the peer until the idle timeout (tunnel.open logged, no
  // tunnel.close). It has passed in every run since the peer watches each ingress link for the end of
  // its TLS stream from the handshake on (watchCloseNotify in start-peer.ts).
  it("an ingress that resets as the lookup starts: the peer still releases the tunnel", async () => {
    const held = slowDns();
    const { socket, raw } = await dialPeer();
    socket.write(`CONNECT slow.test:${echo.port} HTTP/1.1\r\nHost: slow.test:${echo.port}\r\n\r\n`);
    await held.started;
    raw.resetAndDestroy();
    await once(raw, "close");
    held.release();
    await waitUntil(() => nodes.peer.activeConnections() === 0 && echo.openConnections() === 0,
      "the peer forgot the tunnel and closed the service connection");
  });

  it("shutdown during the dial: the service connection made afterwards is closed", async () => {
    const held = slowDns();
    const acceptedBefore = echo.accepted();
    const { socket } = await dialPeer();
    socket.write(`CONNECT slow.test:${echo.port} HTTP/1.1\r\nHost: slow.test:${echo.port}\r\n\r\n`);
    await held.started;
    await nodes.peer.close(0);
    held.release(); // the dial goes on after the shutdown and connects to the service
    await waitUntil(() => echo.accepted() > acceptedBefore, "the service connection made after the shutdown");
    await waitUntil(() => echo.openConnections() === 0, "the service connection closed");
    expect(nodes.peer.activeConnections()).toBe(0);
  });
});
