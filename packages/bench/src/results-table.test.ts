// Medians across rounds, ratios to a baseline and the target check that docs/benchmarks.md shows.
import { describe, expect, it } from "vitest";
import { mediansBySystem, ratiosTo, roundRange, roundsBySystem } from "./results-table.ts";
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

describe("roundRange", () => {
  const records = [
    rec("squid", 1, 200), rec("squid", 2, 100), rec("squid", 3, 400),
    rec("tlsbridge", 1, 300), rec("tlsbridge", 2, 300), rec("tlsbridge", 3, 0, "boom"), rec("tlsbridge", 4, 900),
  ];
  it("pairs each round's value with the baseline's of the same round, skipping failed and unpaired rounds", () => {
    expect(roundRange(records, "tlsbridge", "squid", "throughput.upMBps")).toEqual({ min: 1.5, max: 3 });
  });
  it("ranges over the values themselves without a baseline", () => {
    expect(roundRange(records, "tlsbridge", undefined, "throughput.upMBps")).toEqual({ min: 300, max: 900 });
  });
  it("is undefined when no round has the figure", () => {
    expect(roundRange(records, "tlsbridge", "squid", "hold.kibPerTunnel")).toBeUndefined();
    expect(roundRange(records, "stunnel", "squid", "throughput.upMBps")).toBeUndefined();
  });
});
