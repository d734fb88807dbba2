// Endpoints as sockets report them: IPv4, IPv6 and IPv4-mapped IPv6 folded to IPv4.
import { describe, expect, it } from "vitest";
import { formatSocketAddress, socketAddress } from "./socket-address.ts";

describe("socketAddress", () => {
  it("keeps IPv4, canonicalises IPv6 and folds IPv4-mapped IPv6 to IPv4", () => {
    expect(socketAddress("10.1.2.3", 4711)).toEqual({ address: "10.1.2.3", family: "ipv4", port: 4711 });
    expect(socketAddress("2001:DB8:0:0:0:0:0:7", 80)).toEqual({ address: "2001:db8::7", family: "ipv6", port: 80 });
    expect(socketAddress("::ffff:127.0.0.2", 1)).toEqual({ address: "127.0.0.2", family: "ipv4", port: 1 });
    expect(socketAddress("::ffff:7f00:2", 1)).toEqual({ address: "127.0.0.2", family: "ipv4", port: 1 });
    expect(socketAddress("::1", 65535)).toEqual({ address: "::1", family: "ipv6", port: 65535 });
  });

  it("is undefined for a closed socket's missing address or anything that is not an address and port", () => {
    expect(socketAddress(undefined, undefined)).toBeUndefined();
    expect(socketAddress("10.1.2.3", undefined)).toBeUndefined();
    expect(socketAddress("10.1.2.3", 65536)).toBeUndefined();
    expect(socketAddress("10.1.2", 80)).toBeUndefined();
    expect(socketAddress("fe80::1%eth0", 80)).toBeUndefined();
    expect(socketAddress("localhost", 80)).toBeUndefined();
  });
});

describe("formatSocketAddress", () => {
  it("brackets IPv6 only", () => {
    expect(formatSocketAddress({ address: "10.1.2.3", family: "ipv4", port: 4711 })).toBe("10.1.2.3:4711");
    expect(formatSocketAddress({ address: "2001:db8::7", family: "ipv6", port: 4711 })).toBe("[2001:db8::7]:4711");
  });
});
