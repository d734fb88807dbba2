// The TTL cache behind the peer's own DNS client: answers live for their TTL but never past the
// cap, negative answers briefly, a TTL of 0 is not kept, and the number of names is bounded.
import { describe, expect, it } from "vitest";
import { DnsAnswerCache } from "./dns-answer-cache.ts";

describe("DnsAnswerCache", () => {
  it("keeps an answer for its TTL, then forgets it", () => {
    const cache = new DnsAnswerCache<string, string>();
    cache.setAnswer("svc.test", "10.0.0.1", 30, 1_000);
    expect(cache.get("svc.test", 1_000 + 29_999)).toEqual({ ok: true, value: "10.0.0.1" });
    expect(cache.get("svc.test", 1_000 + 30_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("caps a long TTL at maxTtlMs", () => {
    const cache = new DnsAnswerCache<string, string>({ maxTtlMs: 60_000 });
    cache.setAnswer("svc.test", "10.0.0.1", 86_400, 0);
    expect(cache.get("svc.test", 59_999)).toBeDefined();
    expect(cache.get("svc.test", 60_000)).toBeUndefined();
  });

  it("does not keep an answer with TTL 0, and drops the older one it replaces", () => {
    const cache = new DnsAnswerCache<string, string>();
    cache.setAnswer("svc.test", "10.0.0.1", 60, 0);
    cache.setAnswer("svc.test", "10.0.0.2", 0, 1);
    expect(cache.get("svc.test", 2)).toBeUndefined();
  });

  it("keeps a negative answer only for negativeTtlMs", () => {
    const cache = new DnsAnswerCache<string, string>({ negativeTtlMs: 5_000 });
    cache.setFailure("gone.test", "NXDOMAIN", 0);
    expect(cache.get("gone.test", 4_999)).toEqual({ ok: false, failure: "NXDOMAIN" });
    expect(cache.get("gone.test", 5_000)).toBeUndefined();
    const none = new DnsAnswerCache<string, string>({ negativeTtlMs: 0 });
    none.setFailure("gone.test", "NXDOMAIN", 0);
    expect(none.get("gone.test", 0)).toBeUndefined();
  });

  it("holds at most maxEntries names, dropping the least recently used", () => {
    const cache = new DnsAnswerCache<number, string>({ maxEntries: 3 });
    for (let i = 0; i < 3; i++) cache.setAnswer(`n${i}.test`, i, 60, 0);
    expect(cache.get("n0.test", 1)).toBeDefined(); // n1 is now the least recently used
    cache.setAnswer("n3.test", 3, 60, 1);
    expect(cache.size).toBe(3);
    expect(cache.get("n1.test", 2)).toBeUndefined();
    expect(cache.get("n0.test", 2)).toBeDefined();
    expect(cache.get("n3.test", 2)).toBeDefined();
  });
});
