// Turns the per-round records into what the report shows: per system, the median over rounds of
// each metric, ratios of those medians to a baseline system, and how far a ratio swung from round
// to round. Pure.

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

/** Lowest and highest of a figure over the rounds of a run. */
export type RoundRange = { readonly min: number; readonly max: number };

/**
 * The range over rounds of `system`'s `key` divided by `baseline`'s in the same round (or of the
 * value itself without a baseline): the rounds interleave the systems, so a round's pair shared the
 * machine's mood. Undefined when no round has both.
 */
export function roundRange(records: readonly RoundRecord[], system: string, baseline: string | undefined, key: string): RoundRange | undefined {
  const byRound = (name: string): Map<number, number> => {
    const out = new Map<number, number>();
    for (const r of records) {
      const v = r.metrics[key];
      if (r.error === undefined && r.system === name && v !== undefined) out.set(r.round, v);
    }
    return out;
  };
  const values = byRound(system);
  const bases = baseline === undefined ? undefined : byRound(baseline);
  const figures = [...values].map(([round, v]) => (bases === undefined ? v : ratio(v, bases.get(round))))
    .filter((f): f is number => f !== undefined && Number.isFinite(f));
  if (figures.length === 0) return undefined;
  return { min: Math.min(...figures), max: Math.max(...figures) };
}
