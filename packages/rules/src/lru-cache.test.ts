// The decision cache must stay bounded and behave exactly like an LRU; checked against a model.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LruCache } from "./lru-cache.ts";

describe("LruCache", () => {
  it("evicts the least recently used entry; get refreshes recency", () => {
    const c = new LruCache<string, number>(2);
    c.set("a", 1);
    c.set("b", 2);
    expect(c.get("a")).toBe(1); // a is now most recent
    c.set("c", 3); // evicts b
    expect(c.has("b")).toBe(false);
    expect(c.get("b")).toBeUndefined();
    expect(c.keys()).toEqual(["a", "c"]);
    c.set("a", 10); // overwrite refreshes too
    c.set("d", 4); // evicts c
    expect(c.keys()).toEqual(["a", "d"]);
    expect(c.get("a")).toBe(10);
    expect(c.size).toBe(2);
    c.clear();
    expect(c.size).toBe(0);
  });

  it("rejects a capacity below 1", () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
    expect(() => new LruCache(1.5)).toThrow(RangeError);
  });

  it("behaves like a reference model and never exceeds capacity (property)", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), key: fc.integer({ min: 0, max: 9 }), value: fc.integer() }),
      fc.record({ kind: fc.constant("get" as const), key: fc.integer({ min: 0, max: 9 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
        const cache = new LruCache<number, number>(capacity);
        const model: Array<[number, number]> = []; // least recent first
        for (const o of ops) {
          const i = model.findIndex(([k]) => k === o.key);
          if (o.kind === "set") {
            if (i >= 0) model.splice(i, 1);
            model.push([o.key, o.value]);
            if (model.length > capacity) model.shift();
            cache.set(o.key, o.value);
          } else {
            const entry = i >= 0 ? model.splice(i, 1)[0] : undefined;
            if (entry !== undefined) model.push(entry);
            expect(cache.get(o.key)).toBe(entry?.[1]);
          }
          expect(cache.size).toBeLessThanOrEqual(capacity);
          expect(cache.keys()).toEqual(model.map(([k]) => k));
        }
      }),
    );
  });
});
