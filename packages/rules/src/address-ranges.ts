// A set of IP ranges written as CIDR blocks or single addresses (`127.0.0.0/8`, `::1`,
// `fd00:ec2::254`): what an allow entry's `addresses:` admits, and the special-purpose ranges the
// peer refuses by default. Parsed and matched by cidr.ts, so a mapped form (`::ffff:127.0.0.1`)
// cannot slip past a v4 range.
import type { CidrFault } from "./cidr.ts";
import { cidrMatcher, isCidrFault, readCidr } from "./cidr.ts";

/** An IP range set; `sources` are the ranges as written. */
export type AddressRanges = {
  readonly sources: readonly string[];
  /** Whether `address` (IPv4 or IPv6, a `%zone` suffix ignored) is in one of the ranges. */
  includes(address: string): boolean;
};

/** What is wrong with `text` as an `addresses:` entry (`a.b.c.d[/n]` or `v6[/n]`). */
export function describeAddressRangeFault(text: string, fault: CidrFault): string {
  return fault.fault === "prefix"
    ? `prefix length in '${text}' must be 0 to ${fault.maxPrefix}`
    : `expected an IP address or CIDR range ('127.0.0.0/8', '::1', 'fd00:ec2::254'), got '${text}'`;
}

/** Compiles ranges (the config loader checked them already); throws a TypeError on one that is not a range. */
export function compileAddressRanges(sources: readonly string[]): AddressRanges {
  const cidrs = sources.map((text) => {
    const cidr = readCidr(text);
    if (isCidrFault(cidr)) throw new TypeError(describeAddressRangeFault(text, cidr));
    return cidr;
  });
  return Object.freeze({ sources: Object.freeze([...sources]), includes: cidrMatcher(cidrs) });
}
