// IP ranges as written in `addresses:`: what is accepted, what is refused with which message, and
// that a range matches the IPv4-mapped and zoned forms of its addresses too.
import { describe, expect, it } from "vitest";
import { compileAddressRanges } from "./address-ranges.ts";

describe("compileAddressRanges", () => {
  it.each(["127.0.0.0/8", "10.0.0.1", "0.0.0.0/0", "::1", "::/0", "fd00:ec2::254/128", "fe80::/10"])("accepts %s", (text) => {
    expect(compileAddressRanges([text]).sources).toEqual([text]);
  });

  it.each([
    ["10.0.0.0/33", "prefix length in '10.0.0.0/33' must be 0 to 32"],
    ["::/129", "prefix length in '::/129' must be 0 to 128"],
    ["10.0.0.0/-1", "prefix length in '10.0.0.0/-1' must be 0 to 32"],
    ["10.0.0.0/8/8", "expected an IP address or CIDR range ('127.0.0.0/8', '::1', 'fd00:ec2::254'), got '10.0.0.0/8/8'"],
    ["localhost", "expected an IP address or CIDR range ('127.0.0.0/8', '::1', 'fd00:ec2::254'), got 'localhost'"],
    ["fe80::1%eth0", "expected an IP address or CIDR range ('127.0.0.0/8', '::1', 'fd00:ec2::254'), got 'fe80::1%eth0'"],
    ["10.0.0", "expected an IP address or CIDR range ('127.0.0.0/8', '::1', 'fd00:ec2::254'), got '10.0.0'"],
  ])("refuses %s", (text, message) => {
    expect(() => compileAddressRanges([text])).toThrow(new TypeError(message));
  });

  const ranges = compileAddressRanges(["127.0.0.0/8", "fe80::/10", "10.1.2.3"]);

  it("matches addresses inside, in any written form, and nothing else", () => {
    expect(ranges.sources).toEqual(["127.0.0.0/8", "fe80::/10", "10.1.2.3"]);
    for (const inside of ["127.0.0.1", "127.255.255.255", "::ffff:127.0.0.1", "::ffff:7f00:1", "fe80::1", "fe80::1%eth0", "10.1.2.3"]) {
      expect(ranges.includes(inside), inside).toBe(true);
    }
    for (const outside of ["128.0.0.1", "::1", "fec0::1", "10.1.2.4", "not an address", ""]) {
      expect(ranges.includes(outside), outside).toBe(false);
    }
  });
});
