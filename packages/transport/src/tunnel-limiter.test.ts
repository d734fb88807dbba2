import { describe, expect, it } from "vitest";
import { addressKey, TunnelLimiter } from "./tunnel-limiter.ts";

describe("TunnelLimiter", () => {
  it("refuses a key at its cap while other keys still get slots", () => {
    const limiter = new TunnelLimiter({ maxTunnels: 10, maxTunnelsPerKey: 2 });
    expect(limiter.acquire("a").ok).toBe(true);
    expect(limiter.acquire("a").ok).toBe(true);
    expect(limiter.acquire("a")).toEqual({ ok: false, limit: "key", max: 2 });
    expect(limiter.acquire("b").ok).toBe(true);
    expect(limiter.size).toBe(3);
  });

  it("refuses everyone at the node cap, and frees the slot on release (once)", () => {
    const limiter = new TunnelLimiter({ maxTunnels: 2, maxTunnelsPerKey: 2 });
    const first = limiter.acquire("a");
    expect(limiter.acquire("b").ok).toBe(true);
    expect(limiter.acquire("c")).toEqual({ ok: false, limit: "node", max: 2 });
    if (!first.ok) throw new Error("expected a slot");
    first.release();
    first.release();
    expect(limiter.size).toBe(1);
    expect(limiter.countOf("a")).toBe(0);
    expect(limiter.acquire("c").ok).toBe(true);
    expect(limiter.acquire("d").ok).toBe(false);
  });

  it("applies updated caps to new tunnels without cutting open ones", () => {
    const limiter = new TunnelLimiter({ maxTunnels: 3, maxTunnelsPerKey: 3 });
    const slots = [limiter.acquire("a"), limiter.acquire("a")];
    limiter.update({ maxTunnels: 3, maxTunnelsPerKey: 1 });
    expect(limiter.acquire("a")).toEqual({ ok: false, limit: "key", max: 1 });
    expect(limiter.countOf("a")).toBe(2);
    for (const slot of slots) if (slot.ok) slot.release();
    expect(limiter.acquire("a").ok).toBe(true);
    expect(() => limiter.update({ maxTunnels: 0, maxTunnelsPerKey: 1 })).toThrow(RangeError);
  });

  it("rejects caps below 1", () => {
    expect(() => new TunnelLimiter({ maxTunnels: 0, maxTunnelsPerKey: 1 })).toThrow(RangeError);
    expect(() => new TunnelLimiter({ maxTunnels: 1, maxTunnelsPerKey: 1.5 })).toThrow(RangeError);
  });

  it("counts an IPv4-mapped IPv6 client as its IPv4 address", () => {
    expect(addressKey("::ffff:10.0.0.1")).toBe("10.0.0.1");
    expect(addressKey("::1")).toBe("::1");
    expect(addressKey(undefined)).toBe("unknown");
  });
});
