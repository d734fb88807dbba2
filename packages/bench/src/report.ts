// The results section, as Markdown: median tables, one ratio table per baseline, and tlsbridge's
// targets. Printed to the console and embedded in docs/benchmarks.md.

import { BULK_COLUMNS, RATE_COLUMNS, RATIO_COLUMNS } from "./metrics.ts";
import { formatValue, mediansTable, ratioTable } from "./render-tables.ts";
import { roundRange } from "./results-table.ts";
import type { Medians, RoundRecord } from "./results-table.ts";
import { checkTargets, TARGETS } from "./targets.ts";
import type { Target } from "./targets.ts";

const BASELINES = ["direct", "socat", "stunnel", "squid"] as const;

/** Markdown for the results of one run (`records`: its raw lines, for the round-to-round ranges). */
export function renderResults(medians: Medians, systems: readonly string[], rounds: Map<string, number>, records: readonly RoundRecord[]): string {
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
  const variants = present.filter((s) => s.startsWith("tlsbridge"));
  if (variants.length === 0) {
    out.push("Not measured in this run: the tlsbridge rows are filled in when the tunnel lands (`npm run bench` picks it up by itself).", "");
  } else {
    out.push(targetsTable(medians, variants, records, TARGETS), "");
  }
  return out.join("\n");
}

/**
 * One column per tlsbridge configuration measured; a target that names its configuration is shown
 * in that column only. The median decides; the range of the same figure over the rounds shows how
 * sure that is on a noisy machine.
 */
export function targetsTable(medians: Medians, variants: readonly string[], records: readonly RoundRecord[], targets: readonly Target[]): string {
  const out = [`| target (median, and its lowest and highest round) | ${variants.join(" | ")} |`, `| --- |${variants.map(() => " --- |").join("")}`];
  const byVariant = variants.map((v) => checkTargets(medians, v, targets.map((t) => ({ ...t, system: undefined }))));
  targets.forEach((target, i) => {
    const cells = byVariant.map((results, j) => {
      if (target.system !== undefined && target.system !== variants[j]) return "";
      const r = results[i];
      if (r === undefined || r.value === undefined) return "not measured";
      const show = (v: number): string => (r.target.baseline ? `${v.toFixed(2)}x` : formatValue(v));
      const range = roundRange(records, variants[j] as string, r.target.baseline, r.target.key);
      const spread = range === undefined ? "" : ` (rounds ${show(range.min)} to ${show(range.max)})`;
      return `${show(r.value)} ${r.met ? "yes" : "**no**"}${spread}`;
    });
    out.push(`| ${target.text} | ${cells.join(" | ")} |`);
  });
  return out.join("\n");
}
