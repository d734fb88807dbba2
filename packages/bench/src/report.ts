// The results section, as Markdown: median tables, one ratio table per baseline, and tlsbridge's
// targets. Printed to the console and embedded in docs/benchmarks.md.

import { BULK_COLUMNS, RATE_COLUMNS, RATIO_COLUMNS } from "./metrics.ts";
import { formatValue, mediansTable, ratioTable } from "./render-tables.ts";
import type { Medians } from "./results-table.ts";
import { checkTargets } from "./targets.ts";

const BASELINES = ["direct", "socat", "stunnel", "squid"] as const;

/** Markdown for the results of one run. */
export function renderResults(medians: Medians, systems: readonly string[], rounds: Map<string, number>): string {
  const present = systems.filter((s) => medians.has(s));
  const out: string[] = [];
  out.push("### Tunnel rate (medians over rounds)", "", mediansTable(medians, present, RATE_COLUMNS), "");
  out.push("### Bulk transfer, CPU and memory (medians over rounds)", "", mediansTable(medians, present, BULK_COLUMNS), "");
  out.push(`Rounds per system: ${present.map((s) => `${s} ${rounds.get(s) ?? 0}`).join(", ")}.`, "");
  for (const b of BASELINES) {
    if (!medians.has(b) || present.length < 2) continue;
    out.push(`### Ratios to ${b} (↑: higher is better, ↓: lower is better)`, "", ratioTable(medians, present, b, RATIO_COLUMNS), "");
  }
  out.push("### tlsbridge against the targets of issue 5", "");
  if (!medians.has("tlsbridge")) {
    out.push("Not measured in this run: the tlsbridge rows are filled in when the tunnel lands (`npm run bench` picks it up by itself).", "");
  } else {
    out.push("| target | measured | met |", "| --- | --- | --- |");
    for (const r of checkTargets(medians, "tlsbridge")) {
      const shown = r.value === undefined ? "–" : r.target.baseline ? `${r.value.toFixed(2)}x` : formatValue(r.value);
      out.push(`| ${r.target.text} | ${shown} | ${r.met === undefined ? "not measured" : r.met ? "yes" : "**no**"} |`);
    }
    out.push("");
  }
  return out.join("\n");
}
