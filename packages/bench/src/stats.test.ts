// The arithmetic behind every figure in docs/benchmarks.md.
import { describe, expect, it } from "vitest";
import { median, percentile, ratio } from "./stats.ts";

describe("percentile (nearest rank)", () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
  it("picks the nearest-rank value", () => {
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 90)).toBe(90);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile(xs, 0)).toBe(1);
  });
  it("handles small and empty lists", () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });
  it("does not reorder its input", () => {
    const input = [3, 1, 2];
    percentile(input, 50);
    expect(input).toEqual([3, 1, 2]);
  });
  it("rejects a percentile outside 0..100", () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe("median and ratio", () => {
  it("takes the middle, or the mean of the middle two", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it("ignores missing values and returns undefined when none are left", () => {
    expect(median([undefined, 2, Number.NaN, 4])).toBe(3);
    expect(median([undefined])).toBeUndefined();
  });
  it("divides by the baseline and refuses a zero or missing one", () => {
    expect(ratio(300, 200)).toBe(1.5);
    expect(ratio(1, 0)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
    expect(ratio(2, undefined)).toBeUndefined();
  });
});
