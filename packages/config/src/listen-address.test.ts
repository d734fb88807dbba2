// Addresses in configs: the forms we accept and the reasons we give for the ones we do not.
import { describe, expect, it } from "vitest";
import { formatHostPort, parseHostPort } from "./listen-address.ts";

describe("parseHostPort", () => {
  it.each([
    ["127.0.0.1:8080", { host: "127.0.0.1", port: 8080 }],
    ["[::1]:4443", { host: "::1", port: 4443 }],
    ["peer.cloud.example:4443", { host: "peer.cloud.example", port: 4443 }],
    ["0.0.0.0:0", { host: "0.0.0.0", port: 0 }],
  ])("%s", (text, expected) => {
    expect(parseHostPort(text, 0)).toEqual(expected);
  });

  it.each([
    ["127.0.0.1", 0, "expected host:port or [ipv6]:port, got '127.0.0.1'"],
    ["::1:443", 0, "expected host:port or [ipv6]:port, got '::1:443'"],
    ["[example]:443", 0, "'example' in brackets is not an IPv6 address"],
    [":443", 0, "missing host in ':443'"],
    ["bad_host!:443", 0, "'bad_host!' is neither an IP address nor a DNS name"],
    ["h:65536", 0, "port 65536 is out of range (0-65535)"],
    ["h:0", 1, "port 0 is out of range (1-65535)"],
  ])("%s (min port %d): %s", (text, minPort, reason) => {
    expect(parseHostPort(text, minPort)).toBe(reason);
  });

  it("formats IPv6 with brackets", () => {
    expect(formatHostPort({ host: "::1", port: 1 })).toBe("[::1]:1");
    expect(formatHostPort({ host: "a.example", port: 2 })).toBe("a.example:2");
  });
});
