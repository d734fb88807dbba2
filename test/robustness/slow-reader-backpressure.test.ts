// Backpressure through the ingress, measured on the ingress alone (it runs as its own process): one
// side offers 256 MiB as fast as the tunnel takes it while the other side stops reading, then reads
// slowly. The ingress's memory must stay bounded (a stock ATS tls_bridge grew by 29 to 90 MiB here),
// and every byte must still arrive once the reader catches up.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { startNodeProcess } from "../helpers/node-process.ts";
import type { NodeProcess } from "../helpers/node-process.ts";
import { testPki } from "../helpers/pki.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { expectServed, waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes, TEST_INGRESS_LIMITS } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const MiB = 1024 * 1024;
const OFFERED = 256 * MiB;
const MAX_GROWTH = 64 * MiB;
/**
 * Deadline for one test: a bound, not a speed. Reading 256 MiB slowly through two TLS hops took
 * longer than the 60 s this once allowed on a loaded 2-core machine (issue 9); the assertions are
 * on memory and bytes, never on how long it took.
 */
const SLOW_TEST_MS = 240_000;

/** Writes `total` bytes as fast as `socket` accepts them; `stalled()` is true while it waits for drain. */
function flood(socket: net.Socket, total: number) {
  const block = Buffer.alloc(MiB, 0x5a);
  let written = 0;
  let waitingSince: number | undefined;
  const done = (async () => {
    while (written < total && !socket.destroyed) {
      written += block.length;
      if (!socket.write(block)) {
        waitingSince = performance.now();
        // Both listeners go once either fires: a `close` listener left behind per drain piled up
        // on the socket (issue 15: "MaxListenersExceededWarning: 11 close listeners added to [Socket]").
        await new Promise<void>((resolve) => {
          const go = (): void => {
            socket.off("drain", go);
            socket.off("close", go);
            resolve();
          };
          socket.on("drain", go);
          socket.on("close", go);
        });
        waitingSince = undefined;
      }
    }
    socket.end();
  })();
  return {
    written: () => written,
    /** Waiting for drain for at least `ms`: the tunnel is full and nobody is reading. */
    stalledFor: (ms: number) => waitingSince !== undefined && performance.now() - waitingSince >= ms,
    done,
  };
}

const growth = (after: NodeJS.MemoryUsage, before: NodeJS.MemoryUsage) => ({
  rss: after.rss - before.rss,
  arrayBuffers: after.arrayBuffers - before.arrayBuffers,
});
const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;

describe("backpressure with a slow reader", () => {
  let nodes: TwoNodes;
  let ingress: NodeProcess;
  let echo: TestService;
  let server: net.Server;
  let serverPort: number;
  let onService: (socket: net.Socket) => void = () => {};
  beforeAll(async () => {
    const pki = await testPki();
    echo = await startEchoService();
    nodes = await startTwoNodes(); // its peer is the one we use; the ingress under test is a process
    ingress = await startNodeProcess({
      role: "ingress", nodeName: "test-ingress", port: 0, ca: pki.ca.cert, cert: pki.ingress.cert, key: pki.ingress.key,
      limits: TEST_INGRESS_LIMITS, peer: { host: "127.0.0.1", port: nodes.peer.port, servername: "localhost" },
    });
    server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.on("error", () => {});
      onService(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    serverPort = (server.address() as net.AddressInfo).port;
    for (let i = 0; i < 3; i++) await expectServed(ingress.port, echo.port); // warm up: TLS contexts, code paths
  });
  afterAll(async () => {
    await ingress.close();
    await nodes.close();
    await echo.close();
    server.close();
  });

  it("service floods 256 MiB, client stops reading then reads slowly: ingress memory stays bounded, every byte arrives", async () => {
    const before = await ingress.memory();
    let flooding: ReturnType<typeof flood> | undefined;
    onService = (socket) => (flooding = flood(socket, OFFERED));
    const tunnel = await connectThrough(ingress.port, `localhost:${serverPort}`);
    expect(tunnel.status).toBe(200);
    await waitUntil(() => flooding?.stalledFor(300) === true, "the flood to stall against the paused client", 15_000);
    const stalled = growth(await ingress.memory(), before);
    const inFlight = flooding?.written() ?? 0;

    // Now a slow reader: 1 MiB, then a pause, until everything has arrived.
    let received = tunnel.rest.length;
    let peak = stalled;
    const sampler = setInterval(() => void ingress.memory().then((m) => {
      const g = growth(m, before);
      peak = { rss: Math.max(peak.rss, g.rss), arrayBuffers: Math.max(peak.arrayBuffers, g.arrayBuffers) };
    }), 100);
    await new Promise<void>((resolve, reject) => {
      let sinceBreak = 0;
      tunnel.socket.on("data", (chunk: Buffer) => {
        received += chunk.length;
        sinceBreak += chunk.length;
        if (sinceBreak >= MiB) {
          sinceBreak = 0;
          tunnel.socket.pause();
          setTimeout(() => tunnel.socket.resume(), 2);
        }
      });
      tunnel.socket.once("end", resolve);
      tunnel.socket.once("error", reject);
      tunnel.socket.resume();
    });
    clearInterval(sampler);
    tunnel.socket.destroy();
    await flooding?.done;
    console.log(`slow reader (down): ${mib(inFlight)} accepted by the tunnel before it stalled; ingress growth while stalled rss ${mib(stalled.rss)}, arrayBuffers ${mib(stalled.arrayBuffers)}; peak while draining rss ${mib(peak.rss)}, arrayBuffers ${mib(peak.arrayBuffers)}`);
    expect(received).toBe(OFFERED);
    expect(inFlight).toBeLessThan(OFFERED / 2); // the tunnel pushed back instead of swallowing the flood
    expect(stalled.rss).toBeLessThan(MAX_GROWTH);
    expect(stalled.arrayBuffers).toBeLessThan(8 * MiB);
    expect(peak.rss).toBeLessThan(MAX_GROWTH);
    expect(peak.arrayBuffers).toBeLessThan(16 * MiB);
  }, SLOW_TEST_MS);

  it("client floods 256 MiB at a service that does not read: the ingress pushes back and stays bounded", async () => {
    const before = await ingress.memory();
    let service: net.Socket | undefined;
    onService = (socket) => {
      service = socket;
      socket.pause(); // never reads
    };
    const tunnel = await connectThrough(ingress.port, `localhost:${serverPort}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.on("error", () => {});
    const flooding = flood(tunnel.socket, OFFERED);
    await waitUntil(() => flooding.stalledFor(300), "the client's flood to stall against the paused service", 15_000);
    const stalled = growth(await ingress.memory(), before);
    console.log(`slow reader (up): ${mib(flooding.written())} accepted before it stalled; ingress growth rss ${mib(stalled.rss)}, arrayBuffers ${mib(stalled.arrayBuffers)}`);
    expect(flooding.written()).toBeLessThan(OFFERED / 2);
    expect(stalled.rss).toBeLessThan(MAX_GROWTH);
    expect(stalled.arrayBuffers).toBeLessThan(8 * MiB);
    tunnel.socket.destroy();
    service?.destroy();
    await waitUntil(async () => (await ingress.activeConnections()) === 0, "the ingress to let go of the tunnel", 30_000);
  }, SLOW_TEST_MS);
});
