import { afterEach, describe, expect, it, vi } from "vitest";
import { SessionCache } from "./session-cache.ts";

describe("SessionCache", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("offers the newest fresh ticket to every caller", () => {
    const cache = new SessionCache(2, 1_000);
    cache.add(Buffer.from("a"));
    cache.add(Buffer.from("b"));
    expect(cache.take()?.toString()).toBe("b");
    expect(cache.take()?.toString()).toBe("b");
  });

  it("after a refused resumption: no ticket kept or offered for maxAgeMs, then tickets again", () => {
    vi.useFakeTimers();
    const cache = new SessionCache(4, 1_000);
    cache.add(Buffer.from("a"));
    cache.refuse();
    expect(cache.size).toBe(0);
    expect(cache.take()).toBeUndefined();
    cache.add(Buffer.from("from a full handshake meanwhile"));
    expect(cache.take()).toBeUndefined();
    vi.advanceTimersByTime(1_001);
    expect(cache.take()).toBeUndefined();
    cache.add(Buffer.from("c"));
    expect(cache.take()?.toString()).toBe("c");
  });
});
