// The performance targets tlsbridge set itself against squid and stunnel, as ratios to the
// baselines measured in the same run, checked against the medians so the docs say plainly which
// are met. Pure.

import type { Medians } from "./results-table.ts";

/** One target: tlsbridge's `key` compared with `bound` (x baseline, or an absolute value). */
export type Target = {
  text: string;
  key: string;
  baseline?: string;
  op: "atLeast" | "atMost" | "below";
  bound: number;
  /** The tlsbridge configuration held to it (default: `tlsbridge`, the default settings). */
  system?: string;
};

/** The targets; each is checked on the default configuration unless it names another. */
export const TARGETS: readonly Target[] = [
  { text: "bulk up ≥ 1.5x squid", key: "throughput.upMBps", baseline: "squid", op: "atLeast", bound: 1.5 },
  { text: "bulk down ≥ 1.5x squid", key: "throughput.downMBps", baseline: "squid", op: "atLeast", bound: 1.5 },
  { text: "bulk up ≥ 1.4x stunnel", key: "throughput.upMBps", baseline: "stunnel", op: "atLeast", bound: 1.4 },
  { text: "bulk down ≥ 1.4x stunnel", key: "throughput.downMBps", baseline: "stunnel", op: "atLeast", bound: 1.4 },
  { text: "tunnels/s at c64 ≥ 1.4x squid (default mode)", key: "rate.c64.tunnelsPerSec", baseline: "squid", op: "atLeast", bound: 1.4 },
  { text: "tunnels/s at c64 ≥ 3.5x squid (multiplexed: tlsbridge-h2)", key: "rate.c64.tunnelsPerSec", baseline: "squid", op: "atLeast", bound: 3.5, system: "tlsbridge-h2" },
  { text: "CONNECT→200 p99 at c64 ≤ 0.4x squid", key: "rate.c64.setupP99Ms", baseline: "squid", op: "atMost", bound: 0.4 },
  { text: "CONNECT→200 p50 at c1 < 2 ms", key: "rate.c1.setupP50Ms", op: "below", bound: 2 },
  { text: "memory per idle tunnel ≤ 50 KiB", key: "hold.kibPerTunnel", op: "atMost", bound: 50 },
  { text: "CPU s/GB ≤ 0.9x stunnel", key: "throughput.cpuSecPerGB", baseline: "stunnel", op: "atMost", bound: 0.9 },
];

/** A target's measured value (ratio or absolute) and whether it is met; undefined when not measured. */
export type TargetResult = { target: Target; value: number | undefined; met: boolean | undefined };

/** Checks every target for `system` (normally tlsbridge). */
export function checkTargets(medians: Medians, system: string, targets: readonly Target[] = TARGETS): TargetResult[] {
  return targets.map((target) => {
    const v = medians.get(target.system ?? system)?.[target.key];
    const b = target.baseline === undefined ? 1 : medians.get(target.baseline)?.[target.key];
    if (v === undefined || b === undefined || b === 0) return { target, value: undefined, met: undefined };
    const value = v / b;
    const met = target.op === "atLeast" ? value >= target.bound : target.op === "atMost" ? value <= target.bound : value < target.bound;
    return { target, value, met };
  });
}
