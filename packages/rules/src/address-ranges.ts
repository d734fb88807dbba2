// A set of IP ranges written as CIDR blocks or single addresses (`127.0.0.0/8`, `::1`,
// `fd00:ec2::254`): what an allow entry's `addresses:` admits, and the special-purpose ranges the
// peer refuses by default. Backed by node:net's BlockList, which also compares IPv4-mapped IPv6
// addresses (`::ffff:127.0.0.1`) with IPv4 ranges, so a mapped form cannot slip past a v4 range.
import net from "node:net";

/** An IP range set; `sources` are the ranges as written. */
export type AddressRanges = {
  readonly sources: readonly string[];
  /** Whether `address` (IPv4 or IPv6, a `%zone` suffix ignored) is in one of the ranges. */
  includes(address: string): boolean;
};

/** Why `text` is not a range, or undefined when it is one (`a.b.c.d[/n]` or `v6[/n]`). */
export function addressRangeProblem(text: string): string | undefined {
  const [address = "", prefix, extra] = text.split("/");
  const family = net.isIP(address);
  const expected = `expected an IP address or CIDR range ('127.0.0.0/8', '::1', 'fd00:ec2::254'), got '${text}'`;
  if (family === 0 || extra !== undefined || address.includes("%")) return expected;
  if (prefix === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return `prefix length in '${text}' must be 0 to ${bits}`;
  return undefined;
}

/** Compiles ranges already checked with {@link addressRangeProblem}; throws on one that is not. */
export function compileAddressRanges(sources: readonly string[]): AddressRanges {
  const list = new net.BlockList();
  for (const text of sources) {
    const problem = addressRangeProblem(text);
    if (problem !== undefined) throw new TypeError(problem);
    const [address = "", prefix] = text.split("/");
    const type = net.isIP(address) === 4 ? "ipv4" : "ipv6";
    list.addSubnet(address, prefix === undefined ? (type === "ipv4" ? 32 : 128) : Number(prefix), type);
  }
  const frozen = Object.freeze([...sources]);
  return Object.freeze({
    sources: frozen,
    includes: (address: string): boolean => {
      // A zone (`fe80::1%eth0`) names an interface, not another address; BlockList would match nothing.
      const bare = address.replace(/%.*$/, "");
      const family = net.isIP(bare);
      return family !== 0 && list.check(bare, family === 4 ? "ipv4" : "ipv6");
    },
  });
}
