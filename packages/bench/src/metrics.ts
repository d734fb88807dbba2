// The metrics a scenario produces and how the tables show them: one list, so the console table,
// the docs and the ratio tables agree on names, units and which direction is better.

/** Flat metric values of one scenario run, keyed like `rate.c64.tunnelsPerSec`. */
export type Metrics = Record<string, number | undefined>;

/** How a metric is shown. */
export type MetricColumn = {
  key: string;
  label: string;
  better: "higher" | "lower";
};

/** Columns of the tunnel-rate table. */
export const RATE_COLUMNS: readonly MetricColumn[] = [
  { key: "rate.c1.tunnelsPerSec", label: "c1 tunnels/s", better: "higher" },
  { key: "rate.c1.setupP50Ms", label: "c1 CONNECT→200 p50 ms", better: "lower" },
  { key: "rate.c1.echoP50Ms", label: "c1 first echo p50 ms", better: "lower" },
  { key: "rate.c64.tunnelsPerSec", label: "c64 tunnels/s", better: "higher" },
  { key: "rate.c64.setupP50Ms", label: "c64 CONNECT→200 p50 ms", better: "lower" },
  { key: "rate.c64.setupP90Ms", label: "p90", better: "lower" },
  { key: "rate.c64.setupP99Ms", label: "p99", better: "lower" },
  { key: "rate.c64.echoP99Ms", label: "c64 first echo p99 ms", better: "lower" },
  { key: "rate.c64.cpuMsPerTunnel", label: "CPU ms/tunnel (c64)", better: "lower" },
];

/** Columns of the bulk-transfer and memory table. */
export const BULK_COLUMNS: readonly MetricColumn[] = [
  { key: "throughput.upMBps", label: "up MB/s", better: "higher" },
  { key: "throughput.downMBps", label: "down MB/s", better: "higher" },
  { key: "throughput.cpuSecPerGB", label: "CPU s/GB", better: "lower" },
  { key: "hold.kibPerTunnel", label: "KiB/idle tunnel (PSS)", better: "lower" },
];

/** Columns of each ratio table (value / baseline). */
export const RATIO_COLUMNS: readonly MetricColumn[] = [
  { key: "rate.c1.tunnelsPerSec", label: "c1 tunnels/s", better: "higher" },
  { key: "rate.c64.tunnelsPerSec", label: "c64 tunnels/s", better: "higher" },
  { key: "rate.c1.echoP50Ms", label: "c1 echo p50", better: "lower" },
  { key: "rate.c64.echoP99Ms", label: "c64 echo p99", better: "lower" },
  { key: "rate.c64.setupP99Ms", label: "c64 200 p99", better: "lower" },
  { key: "throughput.upMBps", label: "up MB/s", better: "higher" },
  { key: "throughput.downMBps", label: "down MB/s", better: "higher" },
  { key: "throughput.cpuSecPerGB", label: "CPU/GB", better: "lower" },
  { key: "rate.c64.cpuMsPerTunnel", label: "CPU/tunnel", better: "lower" },
  { key: "hold.kibPerTunnel", label: "KiB/tunnel", better: "lower" },
];
