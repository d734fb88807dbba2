// The throughput scenario: one tunnel moves N MiB up (to the sink, which confirms the count) and
// another N MiB down (from the source, counted here); MB/s each way and CPU seconds per GB moved.

import type { Metrics } from "./metrics.ts";
import type { SystemUnderTest } from "./sut.ts";
import { openTunnel, readUntil, writeBytes } from "./tunnel-client.ts";
import { treeCpuSeconds } from "./proc-sample.ts";

const BLOCK = Buffer.alloc(256 * 1024, 0x7a);

/** Size and deadline of one throughput run. */
export type ThroughputOptions = { mib: number; timeoutMs: number };

/** One tunnel sends `size` bytes to the sink; MB/s until the sink confirmed the count. */
export async function upload(sut: SystemUnderTest, size: number, timeoutMs: number): Promise<number> {
  const t = await openTunnel(sut.endpoint("sink"), timeoutMs);
  try {
    let answer = "";
    const t0 = performance.now();
    const reply = readUntil(t, timeoutMs, (_total, chunk) => {
      answer += chunk.toString("latin1");
      return answer.includes("\n");
    });
    t.socket.write(`${size}\n`);
    await Promise.all([writeBytes(t.socket, size, BLOCK), reply]);
    const seconds = (performance.now() - t0) / 1000;
    const count = Number(answer.trim());
    if (count !== size) throw new Error(`upload: sink saw ${answer.trim()} bytes, sent ${size}`);
    return size / 1e6 / seconds;
  } finally {
    t.socket.destroy();
  }
}

/** One tunnel asks the source for `size` bytes; MB/s until the last arrived. */
export async function download(sut: SystemUnderTest, size: number, timeoutMs: number): Promise<number> {
  const t = await openTunnel(sut.endpoint("source"), timeoutMs);
  try {
    const t0 = performance.now();
    const reading = readUntil(t, timeoutMs, (total) => total >= size);
    t.socket.write(`${size}\n`);
    const got = await reading;
    const seconds = (performance.now() - t0) / 1000;
    if (got !== size) throw new Error(`download: received ${got} bytes, expected ${size}`);
    return size / 1e6 / seconds;
  } finally {
    t.socket.destroy();
  }
}

/** Runs upload then download; MB here is 10^6 bytes. */
export async function runThroughput(sut: SystemUnderTest, o: ThroughputOptions): Promise<Metrics> {
  const size = o.mib * 1024 * 1024;
  const cpuBefore = treeCpuSeconds(sut.pids());
  const up = await upload(sut, size, o.timeoutMs);
  const down = await download(sut, size, o.timeoutMs);
  const cpuAfter = treeCpuSeconds(sut.pids());
  const gb = (2 * size) / 1e9;
  return {
    "throughput.upMBps": up,
    "throughput.downMBps": down,
    "throughput.cpuSecPerGB": cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / gb : undefined,
  };
}
