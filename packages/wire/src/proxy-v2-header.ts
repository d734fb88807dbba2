// The PROXY protocol version 2 header (HAProxy's proxy-protocol.txt, §2.2) the peer writes to a
// service whose allow entry opts in: the original client's address and port, before any tunnel byte,
// so the service sees who connected through the bridge instead of the peer's own address.
//
//   bytes 0-11   signature  0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A
//   byte  12     version 2 (high nibble) | command: 0x21 PROXY, 0x20 LOCAL (no address)
//   byte  13     family | transport: 0x11 TCP over IPv4, 0x21 TCP over IPv6, 0x00 UNSPEC (LOCAL)
//   bytes 14-15  length of what follows, big-endian: 12 (IPv4), 36 (IPv6), 0 (LOCAL)
//   then         source address, destination address, source port, destination port (big-endian)
import { ipv4Octets, ipv6Groups } from "./target.ts";
import type { SocketAddress } from "./socket-address.ts";

/** The 12-byte signature every v2 header starts with. */
export const PROXY_V2_SIGNATURE: Buffer = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

const PROXY = 0x21;
const LOCAL = 0x20;
const TCP_OVER_IPV4 = 0x11;
const TCP_OVER_IPV6 = 0x21;
const UNSPEC = 0x00;

/**
 * The header for a connection from `source` (the original client) to `destination` (the service as
 * dialled). TCP4 when both are IPv4; TCP6 when either is IPv6, an IPv4 one then written as
 * IPv4-mapped (`::ffff:a.b.c.d`), as HAProxy does. LOCAL, with no address, when the client is unknown.
 */
export function proxyV2Header(source: SocketAddress | undefined, destination: SocketAddress | undefined): Buffer {
  if (source === undefined || destination === undefined) {
    return Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([LOCAL, UNSPEC, 0, 0])]);
  }
  const ipv4 = source.family === "ipv4" && destination.family === "ipv4";
  const addressBytes = ipv4 ? 4 : 16;
  const length = 2 * addressBytes + 4;
  const header = Buffer.alloc(PROXY_V2_SIGNATURE.length + 4 + length);
  PROXY_V2_SIGNATURE.copy(header, 0);
  let at = PROXY_V2_SIGNATURE.length;
  header[at++] = PROXY;
  header[at++] = ipv4 ? TCP_OVER_IPV4 : TCP_OVER_IPV6;
  at = header.writeUInt16BE(length, at);
  for (const endpoint of [source, destination]) {
    header.set(ipv4 ? ipv4Bytes(endpoint.address) : ipv6Bytes(endpoint), at);
    at += addressBytes;
  }
  at = header.writeUInt16BE(source.port, at);
  header.writeUInt16BE(destination.port, at);
  return header;
}

function ipv4Bytes(address: string): number[] {
  const octets = ipv4Octets(address);
  if (octets === undefined) throw new TypeError(`not an IPv4 address: ${address}`);
  return octets;
}

function ipv6Bytes(endpoint: SocketAddress): number[] {
  const groups = ipv6Groups(endpoint.family === "ipv4" ? `::ffff:${endpoint.address}` : endpoint.address);
  if (groups === undefined) throw new TypeError(`not an IPv6 address: ${endpoint.address}`);
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}
