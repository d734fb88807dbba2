// A TCP endpoint as both nodes pass it on (the client in `Forwarded`, both ends in a PROXY header):
// one canonical text per address, so an IPv4 client on a dual-stack listener (`::ffff:10.1.2.3`)
// is the same client as on an IPv4 listener.
import { canonicalIpv6, ipv4Octets } from "./target.ts";

/** An IP address and TCP port; an IPv4-mapped IPv6 address is written as IPv4. */
export type SocketAddress = {
  /** Dotted quad, or RFC 5952 IPv6 text without brackets. */
  readonly address: string;
  readonly family: "ipv4" | "ipv6";
  readonly port: number;
};

const MAPPED_IPV4 = "::ffff:";

/**
 * The endpoint a socket reports (`remoteAddress`, `remotePort`), or undefined when it reports none
 * (the socket is already closed) or something that is not an IP address and port.
 */
export function socketAddress(address: string | undefined, port: number | undefined): SocketAddress | undefined {
  if (address === undefined || port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  if (ipv4Octets(address) !== undefined) return { address, family: "ipv4", port };
  const v6 = canonicalIpv6(address);
  if (v6 === undefined) return undefined;
  if (v6.startsWith(MAPPED_IPV4) && ipv4Octets(v6.slice(MAPPED_IPV4.length)) !== undefined) {
    return { address: v6.slice(MAPPED_IPV4.length), family: "ipv4", port };
  }
  return { address: v6, family: "ipv6", port };
}

/** `10.1.2.3:4711` or `[2001:db8::1]:4711`, as logged and as written in `Forwarded`. */
export function formatSocketAddress(endpoint: SocketAddress): string {
  return endpoint.family === "ipv6" ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}
