// Medians across rounds, ratios to a baseline and the target check that docs/benchmarks.md shows.
import { describe, expect, it } from "vitest";
import { mediansBySystem, ratiosTo, roundsBySystem } from "./results-table.ts";
import type { RoundRecord } from "./results-table.ts";
import { checkTargets } from "./targets.ts";

function rec(system: string, round: number, up: number, error?: string): RoundRecord {
  return { run: "t", round, system, scenario: "throughput", metrics: error ? {} : { "throughput.upMBps": up }, ...(error ? { error } : {}) };
}

describe("mediansBySystem and ratiosTo", () => {
  const records = [
    rec("squid", 1, 200), rec("squid", 2, 220), rec("squid", 3, 180),
    rec("tlsbridge", 1, 300), rec("tlsbridge", 2, 330), rec("tlsbridge", 3, 0, "boom"),
  ];
  const medians = mediansBySystem(records);
  it("takes the median per system and skips failed records", () => {
    expect(medians.get("squid")?.["throughput.upMBps"]).toBe(200);
    expect(medians.get("tlsbridge")?.["throughput.upMBps"]).toBe(315);
    expect(roundsBySystem(records).get("tlsbridge")).toBe(2);
  });
  it("divides medians by the baseline's", () => {
    expect(ratiosTo(medians, "tlsbridge", "squid", ["throughput.upMBps", "missing"])).toEqual({
      "throughput.upMBps": 1.575,
      missing: undefined,
    });
  });
  it("checks targets as ratios or absolute values", () => {
    const results = checkTargets(medians, "tlsbridge", [
      { text: "up >= 1.5x squid", key: "throughput.upMBps", baseline: "squid", op: "atLeast", bound: 1.5 },
      { text: "up >= 2x squid", key: "throughput.upMBps", baseline: "squid", op: "atLeast", bound: 2 },
      { text: "up < 400", key: "throughput.upMBps", op: "below", bound: 400 },
      { text: "unmeasured", key: "hold.kibPerTunnel", op: "atMost", bound: 50 },
    ]);
    expect(results.map((r) => r.met)).toEqual([true, false, true, undefined]);
  });
});
