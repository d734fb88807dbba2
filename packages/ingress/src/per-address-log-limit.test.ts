// The per-address log limit on a fake clock: one line per address per interval, the count of what
// was not logged on the next line, an IPv4-mapped address counted as its IPv4 form, and a bounded
// memory of addresses (one pushed out logs again).
import { describe, expect, it } from "vitest";
import { PerAddressLogLimit } from "./per-address-log-limit.ts";

describe("PerAddressLogLimit", () => {
  it("logs an address once per interval and counts the rest for its next line", () => {
    let now = 1_000;
    const limit = new PerAddressLogLimit({ intervalMs: 60_000, now: () => now });
    expect(limit.admit("10.0.0.1")).toEqual({});
    expect(limit.admit("10.0.0.1")).toBeUndefined();
    expect(limit.admit("::ffff:10.0.0.1")).toBeUndefined(); // the same client
    expect(limit.admit("10.0.0.2")).toEqual({}); // another client has its own line
    now += 59_999;
    expect(limit.admit("10.0.0.1")).toBeUndefined();
    now += 1;
    expect(limit.admit("10.0.0.1")).toEqual({ suppressed: 3 });
    expect(limit.admit("10.0.0.1")).toBeUndefined();
    now += 60_000;
    expect(limit.admit("10.0.0.1")).toEqual({ suppressed: 1 });
    now += 60_000;
    expect(limit.admit("10.0.0.1")).toEqual({});
  });

  it("remembers at most maxClients addresses: the least recent one logs again", () => {
    const limit = new PerAddressLogLimit({ maxClients: 2, now: () => 0 });
    expect(limit.admit("10.0.0.1")).toEqual({});
    expect(limit.admit("10.0.0.2")).toEqual({});
    expect(limit.admit("10.0.0.3")).toEqual({});
    expect(limit.admit("10.0.0.3")).toBeUndefined();
    expect(limit.admit("10.0.0.1")).toEqual({});
  });
});
