// The destination address check, as a pure function: every special-purpose case, the cloud metadata
// endpoints among them, is decided here without any socket (tests never dial outside loopback).
import { describe, expect, it } from "vitest";
import { AllowList } from "@tlsbridge/rules";
import type { AllowEntry } from "@tlsbridge/rules";
import { parseTarget } from "@tlsbridge/wire";
import { checkDestinationAddresses, DestinationAddressError, addressRefusalReason, specialPurposeOf } from "./destination-address.ts";

const open = AllowList.fromEntries([{ match: ".*" }]).entries;
const loopbackOnly = AllowList.fromEntries([{ match: ".*", addresses: ["127.0.0.0/8", "::1"] }]).entries;
const internal = AllowList.fromEntries([{ match: ".*", addresses: ["10.1.0.0/16"] }]).entries;

function admitted(entries: readonly AllowEntry[], address: string): boolean {
  return checkDestinationAddresses(entries, [{ address, family: address.includes(":") ? 6 : 4 }]).admitted.length === 1;
}

describe("specialPurposeOf", () => {
  it.each([
    ["169.254.169.254", "cloud metadata"],
    ["fd00:ec2::254", "cloud metadata"],
    ["::ffff:169.254.169.254", "cloud metadata"],
    ["::ffff:a9fe:a9fe", "cloud metadata"],
    ["169.254.0.1", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["::ffff:0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["::ffff:224.0.0.251", "multicast"],
    ["255.255.255.255", "broadcast"],
    // IPv6 forms that carry an IPv4 address: NAT64 (a DNS64 answer) and IPv4-compatible.
    ["64:ff9b::a9fe:a9fe", "cloud metadata"],
    ["64:ff9b::169.254.169.254", "cloud metadata"],
    ["64:FF9B:0:0:0:0:A9FE:A9FE", "cloud metadata"],
    ["64:ff9b::7f00:1", "loopback"],
    ["64:ff9b::a9fe:1", "link-local"],
    ["64:ff9b::e000:fb", "multicast"],
    ["::127.0.0.1", "loopback"],
    ["::a9fe:a9fe", "cloud metadata"],
  ])("%s is %s", (address, kind) => {
    expect(specialPurposeOf(address)).toBe(kind);
    expect(admitted(open, address)).toBe(false);
  });

  it.each(["93.184.215.14", "10.1.2.3", "192.168.1.1", "2001:db8::1", "fd00:ec2::253", "fec0::1", "128.0.0.1", "::ffff:10.1.2.3",
    "64:ff9b::5db8:d70e", "64:ff9b::10.1.2.3", "::0a01:0203"])(
    "%s is an ordinary address, admitted by an entry without addresses:", (address) => {
      expect(specialPurposeOf(address)).toBeUndefined();
      expect(admitted(open, address)).toBe(true);
    });
});

describe("checkDestinationAddresses", () => {
  it("an entry's addresses: admits the special-purpose addresses it lists, and only what it lists", () => {
    expect(admitted(loopbackOnly, "127.0.0.1")).toBe(true);
    expect(admitted(loopbackOnly, "::1")).toBe(true);
    expect(admitted(loopbackOnly, "::ffff:127.0.0.1")).toBe(true);
    expect(admitted(loopbackOnly, "169.254.169.254")).toBe(false);
    expect(admitted(loopbackOnly, "10.1.2.3")).toBe(false);
    expect(admitted(internal, "10.1.2.3")).toBe(true);
    expect(admitted(internal, "10.2.0.1")).toBe(false);
    expect(admitted(internal, "127.0.0.1")).toBe(false);
  });

  it("keeps the admitted addresses in the resolver's order and sets the refused aside", () => {
    const answer = [
      { address: "169.254.169.254", family: 4 },
      { address: "2001:db8::1", family: 6 },
      { address: "::1", family: 6 },
      { address: "192.0.2.7", family: 4 },
    ];
    expect(checkDestinationAddresses(open, answer)).toEqual({
      admitted: [answer[1], answer[3]],
      refused: [answer[0], answer[2]],
    });
  });

  it("admits an address when any matching entry does (entries are grants)", () => {
    expect(admitted([...internal, ...loopbackOnly], "127.0.0.1")).toBe(true);
    expect(admitted([...internal, ...loopbackOnly], "10.1.0.1")).toBe(true);
    expect(admitted([...internal, ...loopbackOnly], "192.0.2.1")).toBe(false);
  });
});

describe("the refusal", () => {
  it("says which address and why, in the message and the Proxy-Status details", () => {
    const err = new DestinationAddressError(parseTarget("db.internal:5432"), "169.254.169.254", addressRefusalReason(open, "169.254.169.254"));
    expect(err.code).toBe("TLSB_ERR_DESTINATION_ADDRESS");
    expect(err.status).toBe(403);
    expect(err.row.proxyStatus).toBe("destination_ip_prohibited");
    expect(err.address).toBe("169.254.169.254");
    expect(err.message).toBe("db.internal:5432: 169.254.169.254 is a cloud metadata address, which only an allow entry's `addresses:` admits");
    expect(err.details).toBe("destination address 169.254.169.254 (cloud metadata) not allowed by the peer");
    expect(addressRefusalReason(internal, "127.0.0.1")).toBe("127.0.0.1 (loopback) is outside the addresses the matching entries admit: 10.1.0.0/16");
  });
});
