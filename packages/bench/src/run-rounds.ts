// Runs the rounds: every round starts each available system afresh, runs the chosen scenarios,
// records one line per scenario and stops it; the order of systems rotates from round to round.

import type { BenchOptions } from "./options.ts";
import type { RoundRecord } from "./results-table.ts";
import type { Metrics } from "./metrics.ts";
import type { SutContext, SystemUnderTest } from "./sut.ts";
import { runRate } from "./scenario-rate.ts";
import { runThroughput } from "./scenario-throughput.ts";
import { runHold } from "./scenario-hold.ts";
import { openTunnel, readUntil } from "./tunnel-client.ts";
import { formatValue } from "./render-tables.ts";
import { parallelMibEach, runWan } from "./scenario-wan.ts";
import { WanPath } from "./wan-path.ts";

const TUNNEL_TIMEOUT_MS = 10_000;

/** Proves a freshly started system carries an echo end to end before anything is measured. */
async function smokeTest(sut: SystemUnderTest): Promise<void> {
  const t = await openTunnel(sut.endpoint("echo"), TUNNEL_TIMEOUT_MS);
  t.socket.write("hello\n");
  await readUntil(t, TUNNEL_TIMEOUT_MS, (total) => total >= 6);
  t.socket.destroy();
}

function summary(m: Metrics): string {
  const pick = (k: string, label: string): string | undefined =>
    m[k] === undefined ? undefined : `${label} ${formatValue(m[k])}`;
  return [
    pick("rate.c1.tunnelsPerSec", "c1/s"),
    pick("rate.c64.tunnelsPerSec", "c64/s"),
    pick("rate.c64.setupP99Ms", "c64 p99 ms"),
    pick("rate.c64.echoP99Ms", "echo p99 ms"),
    pick("throughput.upMBps", "up MB/s"),
    pick("throughput.downMBps", "down MB/s"),
    pick("throughput.cpuSecPerGB", "CPU s/GB"),
    pick("hold.kibPerTunnel", "KiB/tunnel"),
    pick("wan.setupP50Rtt", "200 p50 RTT"),
    pick("wan.upMBps", "up MB/s"),
    pick("wan.downMBps", "down MB/s"),
    pick("wan.parallelMBps", "x32 MB/s"),
    pick("wan.stallEchoP99Ms", "stall echo p99 ms"),
  ].filter((s) => s !== undefined).join(", ");
}

async function runScenario(sut: SystemUnderTest, scenario: string, o: BenchOptions, path: WanPath | undefined): Promise<Metrics> {
  switch (scenario) {
    case "rate": {
      const base = { durationMs: o.rateSeconds * 1000, maxTunnels: 50_000, timeoutMs: TUNNEL_TIMEOUT_MS };
      const c1 = await runRate(sut, { ...base, concurrency: 1 });
      const c64 = await runRate(sut, { ...base, concurrency: 64 });
      return { ...c1, ...c64 };
    }
    case "throughput":
      // At least 2 MB/s or it counts as failed: bounded even for the full 512 MiB.
      return runThroughput(sut, { mib: o.mib, timeoutMs: Math.max(60_000, (o.mib * 1.048576e6) / 2e6 * 1000) });
    case "hold":
      return runHold(sut, { tunnels: o.hold, timeoutMs: TUNNEL_TIMEOUT_MS, settleMs: 1000 });
    case "wan":
      if (path === undefined) throw new Error("the wan scenario needs --wan");
      return runWan(sut, {
        path,
        setupSeconds: o.rateSeconds,
        bulkMib: o.mib,
        parallelTunnels: 32,
        parallelMib: parallelMibEach(o.mib),
        echoSeconds: o.quick ? 3 : 10,
        echoBulkTunnels: 4,
        timeoutMs: Math.max(60_000, (o.mib * 1.048576e6) / 2e6 * 1000),
      });
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

/**
 * Runs every round; `emit` receives each record as soon as it exists. With `o.wan` each system
 * start gets delay lines of its own between its nodes (`ctx.hop`), stopped after the system.
 */
export async function runRounds(
  systems: readonly SystemUnderTest[],
  loopback: Omit<SutContext, "hop">,
  o: BenchOptions,
  run: string,
  emit: (r: RoundRecord) => void,
  log: (line: string) => void,
): Promise<void> {
  for (let round = 1; round <= o.rounds; round++) {
    const shift = (round - 1) % Math.max(1, systems.length);
    const order = [...systems.slice(shift), ...systems.slice(0, shift)];
    log(`round ${round}/${o.rounds}: ${order.map((s) => s.name).join(", ")}`);
    for (const sut of order) {
      const path = o.wan === undefined ? undefined : new WanPath(o.wan, loopback.workDir, loopback.far.host);
      const ctx: SutContext = { ...loopback, hop: path === undefined ? async (port) => port : (port) => path.hop(port) };
      try {
        await sut.start(ctx);
        await smokeTest(sut);
      } catch (err) {
        const error = `start failed: ${(err as Error).message}`;
        log(`  ${sut.name}: ${error}`);
        for (const scenario of o.scenarios) emit({ run, round, system: sut.name, scenario, error, metrics: {} });
        await sut.stop().catch(() => {});
        await path?.close();
        continue;
      }
      try {
        for (const scenario of o.scenarios) {
          try {
            const metrics = await runScenario(sut, scenario, o, path);
            emit({ run, round, system: sut.name, scenario, metrics });
            log(`  ${sut.name} ${scenario}: ${summary(metrics)}`);
          } catch (err) {
            const error = (err as Error).message;
            emit({ run, round, system: sut.name, scenario, error, metrics: {} });
            log(`  ${sut.name} ${scenario}: FAILED ${error}`);
          }
        }
      } finally {
        await sut.stop();
        await path?.close();
      }
    }
  }
}
