// One canonical host form, or the cache and the rules disagree about what a host is.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normaliseHost } from "./normalise-host.ts";

describe("normaliseHost", () => {
  it("lowercases and strips exactly one trailing root dot", () => {
    expect(normaliseHost("API.Service.Example.")).toBe("api.service.example");
    expect(normaliseHost("db1.internal")).toBe("db1.internal");
    expect(normaliseHost("::1")).toBe("::1");
    expect(normaliseHost(".")).toBe("");
  });

  it("leaves a malformed '..' ending alone rather than collapsing it into another name", () => {
    expect(normaliseHost("a.example..")).toBe("a.example..");
  });

  it("is idempotent (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 30 }), (host) => {
        const once = normaliseHost(host);
        expect(normaliseHost(once)).toBe(once);
      }),
    );
  });

  it("is case-insensitive on DNS-like names (property)", () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9-]{1,10}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.boolean(), (labels, dot) => {
        const host = labels.join(".") + (dot ? "." : "");
        expect(normaliseHost(host)).toBe(normaliseHost(host.toUpperCase()));
        expect(normaliseHost(host)).toBe(labels.join(".").toLowerCase());
      }),
    );
  });
});
