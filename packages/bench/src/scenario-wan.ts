// The WAN scenario (issue 13), run with every hop between the nodes through the delay line: what a
// new tunnel costs in round trips, one tunnel's bulk rate each way, 32 parallel bulk tunnels, and
// the latency of a small echo on one tunnel while four others move bulk data with stalls on.
import type net from "node:net";
import type { Metrics } from "./metrics.ts";
import { runRate } from "./scenario-rate.ts";
import { download, upload } from "./scenario-throughput.ts";
import { percentile } from "./stats.ts";
import type { SystemUnderTest } from "./sut.ts";
import { openTunnel, readUntil } from "./tunnel-client.ts";
import type { WanPath } from "./wan-path.ts";

/** Sizes and durations of one WAN scenario run. */
export type WanScenarioOptions = {
  readonly path: WanPath;
  /** How long the one-at-a-time tunnel rate runs (CONNECT→200 in round trips). */
  readonly setupSeconds: number;
  /** MiB one tunnel moves each way. */
  readonly bulkMib: number;
  /** Parallel bulk tunnels and the MiB each downloads. */
  readonly parallelTunnels: number;
  readonly parallelMib: number;
  /** How long the small echo runs beside the bulk tunnels, with stalls on. */
  readonly echoSeconds: number;
  readonly echoBulkTunnels: number;
  readonly timeoutMs: number;
};

const PING = Buffer.alloc(32, 0x70);

/** MiB each of the 32 parallel tunnels downloads, for `mib` MiB through one tunnel: the same total. */
export function parallelMibEach(mib: number): number {
  return Math.max(1, Math.round(mib / 32));
}
/** More than any bulk tunnel of the echo test moves before it is cut (the size line takes 15 digits). */
const ENDLESS = 1e14;

/** Runs the four measurements; metric keys are prefixed `wan.`. */
export async function runWan(sut: SystemUnderTest, o: WanScenarioOptions): Promise<Metrics> {
  const rtt = o.path.parameters.rttMs;
  const rate = await runRate(sut, { concurrency: 1, durationMs: o.setupSeconds * 1000, maxTunnels: 10_000, timeoutMs: o.timeoutMs });
  const inRtt = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / rtt);
  const size = o.bulkMib * 1024 * 1024;
  const up = await upload(sut, size, o.timeoutMs);
  const down = await download(sut, size, o.timeoutMs);
  const parallel = await parallelDownloads(sut, o.parallelTunnels, o.parallelMib * 1024 * 1024, o.timeoutMs);
  o.path.stalls(true);
  let echo: { p50: number | undefined; p99: number | undefined; bulkMBps: number };
  try {
    echo = await echoBesideBulk(sut, o.echoBulkTunnels, o.echoSeconds * 1000, o.timeoutMs);
  } finally {
    o.path.stalls(false);
  }
  return {
    "wan.setupP50Rtt": inRtt(rate["rate.c1.setupP50Ms"]),
    "wan.setupP99Rtt": inRtt(rate["rate.c1.setupP99Ms"]),
    "wan.firstEchoP50Rtt": inRtt(rate["rate.c1.echoP50Ms"]),
    "wan.upMBps": up,
    "wan.downMBps": down,
    "wan.parallelMBps": parallel,
    "wan.stallEchoP50Ms": echo.p50,
    "wan.stallEchoP99Ms": echo.p99,
    "wan.stallBulkMBps": echo.bulkMBps,
  };
}

/** `tunnels` tunnels each download `size` bytes at once; total MB/s from the first request to the last byte. */
async function parallelDownloads(sut: SystemUnderTest, tunnels: number, size: number, timeoutMs: number): Promise<number> {
  const open = await Promise.all(Array.from({ length: tunnels }, () => openTunnel(sut.endpoint("source"), timeoutMs)));
  try {
    const t0 = performance.now();
    const counts = await Promise.all(open.map((t) => {
      const reading = readUntil(t, timeoutMs, (total) => total >= size);
      t.socket.write(`${size}\n`);
      return reading;
    }));
    const seconds = (performance.now() - t0) / 1000;
    const short = counts.find((c) => c !== size);
    if (short !== undefined) throw new Error(`parallel download: a tunnel received ${short} bytes, expected ${size}`);
    return (tunnels * size) / 1e6 / seconds;
  } finally {
    for (const t of open) t.socket.destroy();
  }
}

/**
 * `bulk` tunnels download without end while one more tunnel sends a 32-byte echo, waits for it,
 * and sends the next, for `durationMs`: the echo's latency percentiles and the bulk tunnels' MB/s.
 */
async function echoBesideBulk(
  sut: SystemUnderTest, bulk: number, durationMs: number, timeoutMs: number,
): Promise<{ p50: number | undefined; p99: number | undefined; bulkMBps: number }> {
  const sockets: net.Socket[] = [];
  try {
    let bulkBytes = 0;
    const bulkTunnels = await Promise.all(Array.from({ length: bulk }, () => openTunnel(sut.endpoint("source"), timeoutMs)));
    const echo = await openTunnel(sut.endpoint("echo"), timeoutMs);
    sockets.push(...bulkTunnels.map((t) => t.socket), echo.socket);
    for (const t of bulkTunnels) {
      t.socket.on("data", (chunk: Buffer) => (bulkBytes += chunk.length));
      t.socket.on("error", () => {});
      t.socket.resume();
      t.socket.write(`${ENDLESS}\n`);
    }
    const t0 = performance.now();
    const samples: number[] = [];
    while (performance.now() - t0 < durationMs) {
      const sent = performance.now();
      const back = readUntil(echo, timeoutMs, (total) => total >= PING.length);
      echo.socket.write(PING);
      await back;
      samples.push(performance.now() - sent);
    }
    const seconds = (performance.now() - t0) / 1000;
    return { p50: percentile(samples, 50), p99: percentile(samples, 99), bulkMBps: bulkBytes / 1e6 / seconds };
  } finally {
    for (const s of sockets) s.destroy();
  }
}
