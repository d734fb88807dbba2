// The peer cannot be turned against its own network (issue 14): an allowed name may resolve to
// anything (DNS rebinding, a hostile zone), so after resolution and before any connect, each
// address is checked against the allow entries that admitted the name. Loopback, link-local (the
// cloud metadata endpoints among them), unspecified, multicast and broadcast addresses, in IPv4,
// IPv6, IPv4-mapped IPv6 and the IPv6 forms that embed an IPv4 address (NAT64, IPv4-compatible) are
// refused unless an entry lists them in `addresses:`; an entry with `addresses:` admits only those.
// Pure: the tests check the metadata cases without dialing.
import { compileAddressRanges } from "@tlsbridge/rules";
import type { AddressRanges, AllowEntry } from "@tlsbridge/rules";
import { ipv6Groups, TunnelError } from "@tlsbridge/wire";
import type { Target } from "@tlsbridge/wire";

/** Special-purpose ranges refused by default, most specific first (RFC 6890 and the clouds' docs). */
const SPECIAL_PURPOSE: ReadonlyArray<{ readonly kind: string; readonly ranges: AddressRanges }> = [
  // AWS, GCP, Azure, OpenStack: 169.254.169.254; AWS's IPv6 endpoint is a ULA, not link-local.
  { kind: "cloud metadata", ranges: compileAddressRanges(["169.254.169.254", "fd00:ec2::254"]) },
  { kind: "loopback", ranges: compileAddressRanges(["127.0.0.0/8", "::1"]) },
  { kind: "link-local", ranges: compileAddressRanges(["169.254.0.0/16", "fe80::/10"]) },
  { kind: "unspecified", ranges: compileAddressRanges(["0.0.0.0/8", "::"]) },
  { kind: "multicast", ranges: compileAddressRanges(["224.0.0.0/4", "ff00::/8"]) },
  { kind: "broadcast", ranges: compileAddressRanges(["255.255.255.255"]) },
];

/** All of them in one set: an ordinary address (the common case) costs one lookup, not six. */
const ANY_SPECIAL_PURPOSE = compileAddressRanges(SPECIAL_PURPOSE.flatMap((s) => s.ranges.sources));

/**
 * IPv6 ranges whose last 32 bits are an IPv4 address that something on the path may deliver to:
 * NAT64's well-known prefix (RFC 6052: a DNS64 resolver answers it for any IPv4-only name, and a
 * NAT64 gateway dials the IPv4 address, `64:ff9b::a9fe:a9fe` being the metadata endpoint) and the
 * deprecated IPv4-compatible addresses (RFC 4291). IPv4-mapped addresses BlockList already matches.
 */
const IPV4_EMBEDDING = compileAddressRanges(["64:ff9b::/96", "::/96"]);

/**
 * Which special-purpose range `address` is in (`loopback`, `cloud metadata`, ...), or undefined.
 * An IPv6 address that embeds an IPv4 address is in the IPv4 address's range.
 */
export function specialPurposeOf(address: string): string | undefined {
  if (ANY_SPECIAL_PURPOSE.includes(address)) return SPECIAL_PURPOSE.find((s) => s.ranges.includes(address))?.kind;
  const embedded = IPV4_EMBEDDING.includes(address) ? embeddedIpv4(address) : undefined;
  return embedded === undefined ? undefined : specialPurposeOf(embedded);
}

/** The IPv4 address in the last 32 bits of an IPv6 address (`64:ff9b::a9fe:a9fe` → `169.254.169.254`). */
function embeddedIpv4(address: string): string | undefined {
  const groups = ipv6Groups(address.replace(/%.*$/, ""));
  if (groups === undefined) return undefined;
  const [high = 0, low = 0] = groups.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

/** Whether `entry` admits a name of its resolving to `address`. */
export function entryAdmitsAddress(entry: AllowEntry, address: string): boolean {
  return entry.addresses !== undefined ? entry.addresses.includes(address) : specialPurposeOf(address) === undefined;
}

/** Why no entry of `entries` admits `address`: for logs and `tlsbridge check`. */
export function addressRefusalReason(entries: readonly AllowEntry[], address: string): string {
  const kind = specialPurposeOf(address);
  const ranges = entries.flatMap((e) => e.addresses?.sources ?? []);
  if (ranges.length === 0) return `${address} is a ${kind ?? "special-purpose"} address, which only an allow entry's \`addresses:\` admits`;
  return `${address}${kind === undefined ? "" : ` (${kind})`} is outside the addresses the matching entries admit: ${ranges.join(", ")}`;
}

/** 403 destination_ip_prohibited: every address the target resolved to was refused; `address` is the first. */
export class DestinationAddressError extends TunnelError {
  readonly address: string;

  constructor(target: Target, address: string, reason: string) {
    const kind = specialPurposeOf(address);
    super("TLSB_ERR_DESTINATION_ADDRESS", `${target.authority}: ${reason}`, {
      details: `destination address ${address}${kind === undefined ? "" : ` (${kind})`} not allowed by the peer`,
    });
    this.name = "DestinationAddressError";
    this.address = address;
  }
}

/** The addresses to dial, in the resolver's order, and the refused ones. */
export type AddressCheck<A extends { readonly address: string }> = {
  readonly admitted: readonly A[];
  readonly refused: readonly A[];
};

/** Splits resolved `addresses` into those some entry of `entries` admits and the rest. */
export function checkDestinationAddresses<A extends { readonly address: string }>(
  entries: readonly AllowEntry[],
  addresses: readonly A[],
): AddressCheck<A> {
  const admitted: A[] = [];
  const refused: A[] = [];
  for (const a of addresses) (entries.some((e) => entryAdmitsAddress(e, a.address)) ? admitted : refused).push(a);
  return { admitted, refused };
}
