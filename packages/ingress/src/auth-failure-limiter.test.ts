// Regression: failed proxy logins were unthrottled, so one client sending wrong passwords kept
// libuv's thread pool busy with scrypt. The limiter throttles an address after maxFailures in a
// window, reports that once per window, forgets it when the window ends, and stays bounded.
import { describe, expect, it } from "vitest";
import { AuthFailureLimiter } from "./auth-failure-limiter.ts";

describe("AuthFailureLimiter", () => {
  it("throttles an address after maxFailures within the window, and only that address", () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ maxFailures: 3, windowMs: 1000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(limiter.check("10.0.0.1")).toEqual({ throttled: false });
      limiter.fail("10.0.0.1");
    }
    expect(limiter.check("10.0.0.1")).toEqual({ throttled: true, retryAfterS: 1, report: true });
    expect(limiter.check("10.0.0.1")).toEqual({ throttled: true, retryAfterS: 1, report: false }); // reported once per window
    expect(limiter.check("10.0.0.2")).toEqual({ throttled: false });
    now = 999;
    expect(limiter.check("10.0.0.1").throttled).toBe(true);
  });

  it("says in whole seconds, rounded up, when the address may try again", () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ maxFailures: 1, windowMs: 60_000, now: () => now });
    limiter.fail("a");
    expect(limiter.check("a")).toMatchObject({ throttled: true, retryAfterS: 60 });
    now = 2_500;
    expect(limiter.check("a")).toMatchObject({ throttled: true, retryAfterS: 58 });
    now = 59_999;
    expect(limiter.check("a")).toMatchObject({ throttled: true, retryAfterS: 1 });
  });

  it("forgets an address when its window ends, and reports again in the next window", () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ maxFailures: 2, windowMs: 1000, now: () => now });
    limiter.fail("a");
    limiter.fail("a");
    expect(limiter.check("a")).toEqual({ throttled: true, retryAfterS: 1, report: true });
    now = 1000;
    expect(limiter.check("a")).toEqual({ throttled: false });
    limiter.fail("a"); // a new window from here
    expect(limiter.check("a")).toEqual({ throttled: false });
    limiter.fail("a");
    expect(limiter.check("a")).toEqual({ throttled: true, retryAfterS: 1, report: true });
  });

  it("failures spread over windows do not add up", () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ maxFailures: 2, windowMs: 1000, now: () => now });
    limiter.fail("a");
    now = 1500;
    limiter.fail("a");
    expect(limiter.check("a")).toEqual({ throttled: false });
  });

  it("remembers at most maxClients addresses (the least recently used goes first)", () => {
    const limiter = new AuthFailureLimiter({ maxFailures: 1, maxClients: 100 });
    for (let i = 0; i < 10_000; i++) limiter.fail(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBe(100);
    expect(limiter.check("10.0.39.15").throttled).toBe(true); // the last one, i = 9999
    expect(limiter.check("10.0.0.0").throttled).toBe(false); // evicted
  });
});
