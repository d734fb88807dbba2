// The PROXY v2 header against the byte layout of HAProxy's proxy-protocol.txt §2.2, written out
// by hand here (signature, version/command, family/transport, length, addresses, ports).
import { describe, expect, it } from "vitest";
import { proxyV2Header } from "./proxy-v2-header.ts";

const SIGNATURE = "0d0a0d0a000d0a515549540a";

describe("proxyV2Header", () => {
  it("TCP over IPv4: PROXY command, family 0x11, 12 bytes of addresses and ports", () => {
    const header = proxyV2Header(
      { address: "192.0.2.43", family: "ipv4", port: 47011 },
      { address: "127.0.0.1", family: "ipv4", port: 8080 },
    );
    expect(header.toString("hex")).toBe(`${SIGNATURE}2111000c` + [
      "c000022b", // 192.0.2.43
      "7f000001", // 127.0.0.1
      "b7a3", // 47011
      "1f90", // 8080
    ].join(""));
    expect(header.length).toBe(16 + 12);
    expect(header.readUInt16BE(14)).toBe(12);
  });

  it("TCP over IPv6: family 0x21, 36 bytes", () => {
    const header = proxyV2Header(
      { address: "2001:db8:cafe::17", family: "ipv6", port: 4711 },
      { address: "::1", family: "ipv6", port: 443 },
    );
    expect(header.toString("hex")).toBe(`${SIGNATURE}21210024` + [
      "20010db8cafe00000000000000000017",
      "00000000000000000000000000000001",
      "1267", // 4711
      "01bb", // 443
    ].join(""));
  });

  it("mixed families: TCP over IPv6 with the IPv4 endpoint IPv4-mapped", () => {
    const header = proxyV2Header(
      { address: "192.0.2.43", family: "ipv4", port: 1 },
      { address: "::1", family: "ipv6", port: 2 },
    );
    expect(header.toString("hex")).toBe(`${SIGNATURE}21210024` + [
      "00000000000000000000ffffc000022b",
      "00000000000000000000000000000001",
      "0001",
      "0002",
    ].join(""));
  });

  it("LOCAL with family UNSPEC and no addresses when the client is unknown", () => {
    expect(proxyV2Header(undefined, { address: "::1", family: "ipv6", port: 2 }).toString("hex")).toBe(`${SIGNATURE}20000000`);
    expect(proxyV2Header({ address: "::1", family: "ipv6", port: 2 }, undefined).toString("hex")).toBe(`${SIGNATURE}20000000`);
  });
});
