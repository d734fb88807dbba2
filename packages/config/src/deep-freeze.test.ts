// Loaded configs are frozen to the leaves, except what cannot or need not be: Buffers and classes.
import { describe, expect, it } from "vitest";
import { deepFreeze } from "./deep-freeze.ts";

describe("deepFreeze", () => {
  it("freezes nested objects, arrays and Map values; leaves Buffers and class instances usable", () => {
    class Counter {
      n = 0;
    }
    const value = deepFreeze({ a: { b: [1, { c: 2 }] }, m: new Map([["k", { v: 1 }]]), buf: Buffer.from("x"), counter: new Counter() });
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.a.b[1])).toBe(true);
    expect(Object.isFrozen(value.m.get("k"))).toBe(true);
    expect(value.buf.toString()).toBe("x");
    value.counter.n += 1;
    expect(value.counter.n).toBe(1);
  });

  it("handles cycles", () => {
    const a: { self?: unknown } = {};
    a.self = a;
    expect(Object.isFrozen(deepFreeze(a))).toBe(true);
  });
});
