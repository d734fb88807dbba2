// The one CIDR reader and matcher under `clients:` and `addresses:`: which fault each malformed
// block is (callers word them), host bits, zones and IPv4-mapped IPv6 addresses.
import { describe, expect, it } from "vitest";
import { cidrMatcher, formatCidr, readCidr } from "./cidr.ts";
import type { Cidr } from "./cidr.ts";

describe("readCidr", () => {
  it("reads blocks and bare addresses of both families, host bits allowed", () => {
    expect(readCidr("10.1.2.3/8")).toEqual({ address: "10.1.2.3", prefix: 8, family: "ipv4" });
    expect(readCidr("fd00::1")).toEqual({ address: "fd00::1", prefix: 128, family: "ipv6" });
  });

  it.each([
    ["fe80::1%eth0", { fault: "address", address: "fe80::1%eth0" }],
    ["fe80::%eth0/10", { fault: "address", address: "fe80::%eth0" }],
    ["10.0.0/8", { fault: "address", address: "10.0.0" }],
    ["/8", { fault: "address", address: "" }],
    ["10.0.0.0/8/8", { fault: "slashes", maxPrefix: 32 }],
    ["::/0/0", { fault: "slashes", maxPrefix: 128 }],
    ["10.0.0.0/08", { fault: "prefix", maxPrefix: 32 }],
    ["10.0.0.0/", { fault: "prefix", maxPrefix: 32 }],
    ["::/129", { fault: "prefix", maxPrefix: 128 }],
  ])("names the fault in %s", (text, fault) => {
    expect(readCidr(text)).toEqual(fault);
  });
});

describe("cidrMatcher", () => {
  const read = (text: string): Cidr => readCidr(text) as Cidr;

  it("matches mapped and zoned forms of addresses inside, and nothing when empty", () => {
    const matches = cidrMatcher(["10.0.0.0/8", "fe80::/10"].map(read));
    for (const inside of ["10.255.0.1", "::ffff:10.0.0.1", "::ffff:a00:1", "fe80::1%eth0"]) expect(matches(inside), inside).toBe(true);
    for (const outside of ["11.0.0.1", "::ffff:11.0.0.1", "fec0::1", "host.example", ""]) expect(matches(outside), outside).toBe(false);
    expect(cidrMatcher([])("10.0.0.1")).toBe(false);
    // Host bits after the prefix are ignored: 10.1.2.3/8 is the whole of 10.0.0.0/8.
    expect(cidrMatcher([read("10.1.2.3/8")])("10.200.0.1")).toBe(true);
  });

  it("formats a block with its prefix length", () => {
    expect(formatCidr(read("::1"))).toBe("::1/128");
  });
});
