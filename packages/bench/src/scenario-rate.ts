// The rate scenario: how fast new tunnels open. Each tunnel is connect, CONNECT, 200, a 32-byte
// echo round trip, close; run at concurrency 1 and 64 for a fixed time, capped in count.

import { percentile } from "./stats.ts";
import type { Metrics } from "./metrics.ts";
import type { SystemUnderTest } from "./sut.ts";
import { openTunnel, readUntil } from "./tunnel-client.ts";
import { treeCpuSeconds } from "./proc-sample.ts";

const PAYLOAD = Buffer.alloc(32, 0x61);

/** Bounds of one rate run. */
export type RateOptions = { concurrency: number; durationMs: number; maxTunnels: number; timeoutMs: number };

type Sample = { setupMs: number | undefined; echoMs: number };

async function oneTunnel(sut: SystemUnderTest, timeoutMs: number): Promise<Sample> {
  const t = await openTunnel(sut.endpoint("echo"), timeoutMs);
  t.socket.write(PAYLOAD);
  await readUntil(t, timeoutMs, (total) => total >= PAYLOAD.length);
  const echoMs = performance.now() - t.startedAt;
  t.socket.destroy();
  return { setupMs: t.setupMs, echoMs };
}

/** Runs one rate measurement; metric keys are prefixed `rate.c<N>.`. */
export async function runRate(sut: SystemUnderTest, o: RateOptions): Promise<Metrics> {
  // Warm-up, not measured: first connections pay for lazy initialisation.
  for (let i = 0; i < 5; i++) await oneTunnel(sut, o.timeoutMs);

  const samples: Sample[] = [];
  let errors = 0;
  let started = 0;
  let firstError: string | undefined;
  const cpuBefore = treeCpuSeconds(sut.pids());
  const t0 = performance.now();
  const deadline = t0 + o.durationMs;
  let giveUp = false;
  const worker = async (): Promise<void> => {
    while (!giveUp && performance.now() < deadline && started < o.maxTunnels) {
      started++;
      try {
        samples.push(await oneTunnel(sut, o.timeoutMs));
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
        if (errors > 100 && errors > samples.length) giveUp = true;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  if (giveUp) throw new Error(`rate c${o.concurrency}: more errors than tunnels, first: ${firstError}`);
  const seconds = (performance.now() - t0) / 1000;
  const cpuAfter = treeCpuSeconds(sut.pids());

  const setups = samples.flatMap((s) => (s.setupMs === undefined ? [] : [s.setupMs]));
  const echoes = samples.map((s) => s.echoMs);
  const p = `rate.c${o.concurrency}.`;
  const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  if (firstError !== undefined) process.stderr.write(`  ${sut.name} rate c${o.concurrency}: ${errors} errors, first: ${firstError}\n`);
  return {
    [`${p}tunnels`]: samples.length,
    [`${p}errors`]: errors,
    [`${p}tunnelsPerSec`]: samples.length / seconds,
    [`${p}setupP50Ms`]: percentile(setups, 50),
    [`${p}setupP90Ms`]: percentile(setups, 90),
    [`${p}setupP99Ms`]: percentile(setups, 99),
    [`${p}echoP50Ms`]: percentile(echoes, 50),
    [`${p}echoP90Ms`]: percentile(echoes, 90),
    [`${p}echoP99Ms`]: percentile(echoes, 99),
    [`${p}cpuMsPerTunnel`]: cpu !== undefined && samples.length > 0 ? (cpu * 1000) / samples.length : undefined,
  };
}
