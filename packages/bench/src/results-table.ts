// Turns the per-round records into what the report shows: per system, the median over rounds of
// each metric, and ratios of those medians to a baseline system. Pure.

import type { Metrics } from "./metrics.ts";
import { median, ratio } from "./stats.ts";

/** One JSON line of raw results: one scenario of one system in one round. */
export type RoundRecord = {
  run: string;
  round: number;
  system: string;
  scenario: string;
  error?: string;
  metrics: Metrics;
};

/** Median per metric per system: medians.get(system)?.[key]. */
export type Medians = Map<string, Metrics>;

/** Medians over rounds of every metric of every system, in the order systems first appear. */
export function mediansBySystem(records: readonly RoundRecord[]): Medians {
  const values = new Map<string, Map<string, (number | undefined)[]>>();
  for (const r of records) {
    if (r.error !== undefined) continue;
    const bySystem = values.get(r.system) ?? new Map<string, (number | undefined)[]>();
    values.set(r.system, bySystem);
    for (const [key, v] of Object.entries(r.metrics)) {
      const list = bySystem.get(key) ?? [];
      list.push(v);
      bySystem.set(key, list);
    }
  }
  const out: Medians = new Map();
  for (const [system, byKey] of values) {
    const m: Metrics = {};
    for (const [key, list] of byKey) m[key] = median(list);
    out.set(system, m);
  }
  return out;
}

/** Ratios system/baseline for the given keys; undefined where either median is missing. */
export function ratiosTo(medians: Medians, system: string, baseline: string, keys: readonly string[]): Metrics {
  const a = medians.get(system) ?? {};
  const b = medians.get(baseline) ?? {};
  const out: Metrics = {};
  for (const key of keys) out[key] = ratio(a[key], b[key]);
  return out;
}

/** Number of rounds in which each system produced a record without error. */
export function roundsBySystem(records: readonly RoundRecord[]): Map<string, number> {
  const rounds = new Map<string, Set<number>>();
  for (const r of records) {
    if (r.error !== undefined) continue;
    const s = rounds.get(r.system) ?? new Set<number>();
    s.add(r.round);
    rounds.set(r.system, s);
  }
  return new Map([...rounds].map(([k, v]) => [k, v.size] as const));
}
