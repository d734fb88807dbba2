// The WAN run's results as Markdown (console and docs/benchmarks.md): medians per system, ratios
// to one plain TCP connection across the same path, and tlsbridge against the targets of issue 13.
import type { MetricColumn } from "./metrics.ts";
import { mediansTable, ratioTable } from "./render-tables.ts";
import { targetsTable } from "./report.ts";
import type { Medians, RoundRecord } from "./results-table.ts";
import type { Target } from "./targets.ts";

/** Columns of the WAN medians table. */
export const WAN_COLUMNS: readonly MetricColumn[] = [
  { key: "wan.setupP50Rtt", label: "CONNECT→200 p50 (RTT)", better: "lower" },
  { key: "wan.setupP99Rtt", label: "p99 (RTT)", better: "lower" },
  { key: "wan.firstEchoP50Rtt", label: "first echo p50 (RTT)", better: "lower" },
  { key: "wan.upMBps", label: "1 tunnel up MB/s", better: "higher" },
  { key: "wan.downMBps", label: "1 tunnel down MB/s", better: "higher" },
  { key: "wan.parallelMBps", label: "32 tunnels MB/s", better: "higher" },
  { key: "wan.stallEchoP50Ms", label: "echo beside bulk, stalls: p50 ms", better: "lower" },
  { key: "wan.stallEchoP99Ms", label: "p99 ms", better: "lower" },
  { key: "wan.stallBulkMBps", label: "its 4 bulk tunnels MB/s", better: "higher" },
];

/** Columns of the ratio table against plain TCP. */
const WAN_RATIO_COLUMNS: readonly MetricColumn[] = [
  { key: "wan.upMBps", label: "1 tunnel up", better: "higher" },
  { key: "wan.downMBps", label: "1 tunnel down", better: "higher" },
  { key: "wan.parallelMBps", label: "32 tunnels", better: "higher" },
  { key: "wan.stallEchoP99Ms", label: "echo p99 with stalls", better: "lower" },
];

/** The targets of issue 13, each on the tlsbridge configuration it names. */
export const WAN_TARGETS: readonly Target[] = [
  { text: "new tunnel, default (ALPN picks h2): CONNECT→200 p50 ≤ 1.2 RTT", key: "wan.setupP50Rtt", op: "atMost", bound: 1.2, system: "tlsbridge" },
  { text: "new tunnel, mode h2 named: CONNECT→200 p50 ≤ 1.2 RTT", key: "wan.setupP50Rtt", op: "atMost", bound: 1.2, system: "tlsbridge-h2" },
  { text: "new tunnel, warm pool (h1): CONNECT→200 p50 ≤ 1.2 RTT", key: "wan.setupP50Rtt", op: "atMost", bound: 1.2, system: "tlsbridge-pool" },
  { text: "new tunnel, plain h1: CONNECT→200 p50 ≤ 3 RTT", key: "wan.setupP50Rtt", op: "atMost", bound: 3, system: "tlsbridge-h1" },
  { text: "1 tunnel up ≥ 0.9x plain TCP", key: "wan.upMBps", baseline: "direct", op: "atLeast", bound: 0.9 },
  { text: "1 tunnel down ≥ 0.9x plain TCP", key: "wan.downMBps", baseline: "direct", op: "atLeast", bound: 0.9 },
  { text: "echo p99 beside bulk with stalls ≤ 1.5x mode h1's (default, h2)", key: "wan.stallEchoP99Ms", baseline: "tlsbridge-h1", op: "atMost", bound: 1.5, system: "tlsbridge" },
];

/** Markdown for the WAN run (`records`: its raw lines, for the round-to-round ranges). */
export function renderWanResults(medians: Medians, systems: readonly string[], records: readonly RoundRecord[]): string {
  const present = systems.filter((s) => medians.has(s));
  const out = ["### Across the WAN (medians over rounds)", "", mediansTable(medians, present, WAN_COLUMNS), ""];
  if (medians.has("direct") && present.length > 1) {
    out.push("### Ratios to one plain TCP connection across the same path (↑: higher is better, ↓: lower is better)", "",
      ratioTable(medians, present, "direct", WAN_RATIO_COLUMNS), "");
  }
  const variants = present.filter((s) => s.startsWith("tlsbridge"));
  if (variants.length > 0) out.push("### tlsbridge against the targets of issue 13", "", targetsTable(medians, variants, records, WAN_TARGETS), "");
  return out.join("\n");
}
