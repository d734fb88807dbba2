// The one CIDR parser and matcher behind a listener's `clients:` and an allow entry's `addresses:`
// (and the peer's special-purpose ranges). Backed by node:net's BlockList, which also matches an
// IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) against IPv4 blocks, so a mapped form cannot slip past.
import net from "node:net";

/** One parsed CIDR block: `10.0.0.0/8`, `2001:db8::/32`; a bare address is a /32 or /128. */
export type Cidr = {
  readonly address: string;
  readonly prefix: number;
  readonly family: "ipv4" | "ipv6";
};

/**
 * Why a text is not a CIDR block: the part before the slash is not a plain IP address (a `%zone`
 * names an interface, not a range), the text has more than one slash, or the prefix length is not
 * a decimal 0 to `maxPrefix` without leading zeros. Each caller words its own message.
 */
export type CidrFault =
  | { readonly fault: "address"; readonly address: string }
  | { readonly fault: "slashes" | "prefix"; readonly maxPrefix: number };

const PREFIX = /^(?:0|[1-9][0-9]{0,2})$/;

/** Reads `address[/prefix]`; host bits after the prefix are allowed (`10.1.2.3/8` is `10.0.0.0/8`). */
export function readCidr(text: string): Cidr | CidrFault {
  const [address = "", prefixText, extra] = text.split("/");
  const version = address.includes("%") ? 0 : net.isIP(address);
  if (version === 0) return { fault: "address", address };
  const family = version === 4 ? "ipv4" : "ipv6";
  const maxPrefix = version === 4 ? 32 : 128;
  if (extra !== undefined) return { fault: "slashes", maxPrefix };
  if (prefixText === undefined) return { address, prefix: maxPrefix, family };
  const prefix = PREFIX.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix <= maxPrefix)) return { fault: "prefix", maxPrefix };
  return { address, prefix, family };
}

/** Whether {@link readCidr} refused the text. */
export function isCidrFault(result: Cidr | CidrFault): result is CidrFault {
  return "fault" in result;
}

/** `10.0.0.0/8`: how a block is shown (`check`, `config.loaded`). */
export function formatCidr(cidr: Cidr): string {
  return `${cidr.address}/${cidr.prefix}`;
}

/** Whether `address` (IPv4 or IPv6, a `%zone` suffix ignored) lies in one of the blocks. */
export type CidrMatcher = (address: string) => boolean;

/** Compiles blocks into one matcher; an empty list matches nothing. */
export function cidrMatcher(cidrs: readonly Cidr[]): CidrMatcher {
  const list = new net.BlockList();
  for (const cidr of cidrs) list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  return (address) => {
    // A zone (`fe80::1%eth0`) names an interface, not another address; BlockList would match nothing.
    const bare = address.replace(/%.*$/, "");
    const version = net.isIP(bare);
    return version !== 0 && list.check(bare, version === 4 ? "ipv4" : "ipv6");
  };
}
