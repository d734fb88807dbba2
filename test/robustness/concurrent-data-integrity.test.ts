// Twenty tunnels at once, each moving 16 MiB up and a different 16 MiB down at the same time (not an
// echo: the two directions carry independent streams), checked end to end with SHA-256 both ways.
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { listenOnLoopback } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const MiB = 1024 * 1024;
const TUNNELS = 20;
const BYTES = 16 * MiB;
const BLOCK = randomBytes(MiB);

/** Writes `total` bytes of `BLOCK`, each MiB stamped with `seed` and its index; returns their SHA-256. */
async function sendStream(socket: net.Socket, seed: number, total: number): Promise<string> {
  const hash = createHash("sha256");
  for (let i = 0; i < total / MiB; i++) {
    const block = Buffer.from(BLOCK);
    block.writeUInt32BE(seed, 0);
    block.writeUInt32BE(i, 4);
    hash.update(block);
    if (!socket.write(block)) await new Promise((resolve) => socket.once("drain", resolve));
  }
  socket.end();
  return hash.digest("hex");
}

/** Reads to the end, hashing: resolves with the byte count and the SHA-256. */
function receiveStream(socket: net.Socket, already: Buffer = Buffer.alloc(0)): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256").update(already);
    let bytes = already.length;
    socket.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    socket.once("end", () => resolve({ bytes, sha256: hash.digest("hex") }));
    socket.once("error", reject);
    socket.resume();
  });
}

/** A service that, per connection, streams its own 16 MiB down while hashing what comes up. */
function startExchangeService(): Promise<{ port: number; received: Map<number, { bytes: number; sha256: string }>; sent: Map<number, string>; close: () => Promise<void> }> {
  const received = new Map<number, { bytes: number; sha256: string }>();
  const sent = new Map<number, string>();
  let next = 1_000;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const seed = next++;
    socket.on("error", () => {});
    // The first 4 bytes up name the tunnel, so both sides' hashes can be paired.
    socket.once("readable", () => {
      const first = socket.read(4) as Buffer | null;
      if (first === null) return;
      const tunnel = first.readUInt32BE(0);
      socket.unshift(first);
      void receiveStream(socket).then((r) => received.set(tunnel, r));
      void sendStream(socket, seed, BYTES).then((sha) => sent.set(tunnel, sha));
    });
  });
  return listenOnLoopback(server).then((service) => ({ ...service, received, sent }));
}

describe("data integrity under concurrency", () => {
  let nodes: TwoNodes;
  let service: Awaited<ReturnType<typeof startExchangeService>>;
  beforeAll(async () => {
    service = await startExchangeService();
    nodes = await startTwoNodes();
  });
  afterAll(async () => {
    await nodes.close();
    await service.close();
  });

  it(`${TUNNELS} tunnels x ${BYTES / MiB} MiB each way at once, SHA-256 equal on both ends`, async () => {
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: TUNNELS }, async (_, tunnel) => {
      const t = await connectThrough(nodes.ingressPort, `localhost:${service.port}`);
      expect(t.status).toBe(200);
      const down = receiveStream(t.socket, t.rest);
      const up = await sendStream(t.socket, tunnel, BYTES); // seed = tunnel: the first 4 bytes name it
      return { tunnel, up, down: await down };
    }));
    await waitUntil(() => service.received.size === TUNNELS, "the service to finish reading every tunnel");
    for (const { tunnel, up, down } of results) {
      expect(down.bytes).toBe(BYTES);
      expect(down.sha256).toBe(service.sent.get(tunnel));
      expect(service.received.get(tunnel)).toEqual({ bytes: BYTES, sha256: up });
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`integrity: ${TUNNELS} x ${BYTES / MiB} MiB each way in ${seconds.toFixed(1)} s (${((2 * TUNNELS * BYTES) / MiB / seconds).toFixed(0)} MiB/s through both nodes)`);
    await waitUntil(() => nodes.ingressLog.events("tunnel.close").length === TUNNELS, "every tunnel.close at the ingress");
    for (const close of nodes.ingressLog.events("tunnel.close")) {
      expect(close).toMatchObject({ bytesUp: BYTES, bytesDown: BYTES, outcome: "done" });
    }
  }, 180_000); // a deadline for a bulk transfer on a loaded machine, not a speed (issue 9)
});
