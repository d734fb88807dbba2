// Renders medians and ratios as Markdown tables, used both for the console and docs/benchmarks.md.

import type { MetricColumn } from "./metrics.ts";
import type { Medians } from "./results-table.ts";
import { ratiosTo } from "./results-table.ts";

/** A number with about three significant digits; "–" when missing. */
export function formatValue(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

/** A ratio as "1.23x"; "–" when missing. */
export function formatRatio(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "–" : `${v.toFixed(2)}x`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Medians of `columns`, one row per system. */
export function mediansTable(medians: Medians, systems: readonly string[], columns: readonly MetricColumn[]): string {
  const rows = systems.filter((s) => medians.has(s)).map((s) => {
    const m = medians.get(s) ?? {};
    return [s, ...columns.map((c) => formatValue(m[c.key]))];
  });
  return table(["system", ...columns.map((c) => c.label)], rows);
}

/** Ratios of every other system to `baseline` (value / baseline's value); `direct` only as a baseline itself. */
export function ratioTable(
  medians: Medians,
  systems: readonly string[],
  baseline: string,
  columns: readonly MetricColumn[],
): string {
  const keys = columns.map((c) => c.key);
  const rows = systems
    .filter((s) => s !== baseline && medians.has(s) && (s !== "direct" || baseline === "direct"))
    .map((s) => {
      const r = ratiosTo(medians, s, baseline, keys);
      return [`${s} / ${baseline}`, ...keys.map((k) => formatRatio(r[k]))];
    });
  const header = ["ratio", ...columns.map((c) => `${c.label} (${c.better === "higher" ? "↑" : "↓"})`)];
  return table(header, rows);
}
