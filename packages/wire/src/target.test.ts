// CONNECT targets decide routing, allow-lists and DNS, so every accepted form is normalised
// exactly and every doubtful one is refused with TLSB_ERR_BAD_TARGET.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { canonicalIpv6, parseTarget } from "./target.ts";
import { TunnelError } from "./errors.ts";

const GOOD: Array<[string, string, number, "dns" | "ipv4" | "ipv6", string]> = [
  ["example.com:443", "example.com", 443, "dns", "example.com:443"],
  ["Example.COM.:443", "example.com", 443, "dns", "example.com:443"],
  ["db1.internal:5432", "db1.internal", 5432, "dns", "db1.internal:5432"],
  ["_sip._tcp.example:5060", "_sip._tcp.example", 5060, "dns", "_sip._tcp.example:5060"],
  ["a-b.c:1", "a-b.c", 1, "dns", "a-b.c:1"],
  ["localhost:65535", "localhost", 65535, "dns", "localhost:65535"],
  ["1a.example:80", "1a.example", 80, "dns", "1a.example:80"],
  ["10.0.0.1:22", "10.0.0.1", 22, "ipv4", "10.0.0.1:22"],
  ["255.255.255.255:1", "255.255.255.255", 1, "ipv4", "255.255.255.255:1"],
  ["0.0.0.0:8080", "0.0.0.0", 8080, "ipv4", "0.0.0.0:8080"],
  ["[::1]:443", "::1", 443, "ipv6", "[::1]:443"],
  ["[2001:DB8::0:1]:443", "2001:db8::1", 443, "ipv6", "[2001:db8::1]:443"],
  ["[0:0:0:0:0:0:0:1]:443", "::1", 443, "ipv6", "[::1]:443"],
  ["[2001:db8:0:0:1:0:0:1]:1", "2001:db8::1:0:0:1", 1, "ipv6", "[2001:db8::1:0:0:1]:1"],
  ["[2001:db8:0:1:1:1:1:1]:1", "2001:db8:0:1:1:1:1:1", 1, "ipv6", "[2001:db8:0:1:1:1:1:1]:1"],
  ["[::ffff:192.0.2.1]:443", "::ffff:192.0.2.1", 443, "ipv6", "[::ffff:192.0.2.1]:443"],
  ["[::]:9", "::", 9, "ipv6", "[::]:9"],
  [`${"a".repeat(63)}.example:1`, `${"a".repeat(63)}.example`, 1, "dns", `${"a".repeat(63)}.example:1`],
];

const LONG_OK = Array.from({ length: 4 }, () => "a".repeat(63)).join(".").slice(0, 253);

const BAD: Array<[string, string]> = [
  ["", "empty"],
  [":443", "empty host"],
  ["example.com", "missing port"],
  ["example.com:", "empty port"],
  ["example.com:0", "port 0"],
  ["example.com:99999", "port too big"],
  ["example.com:65536", "port 65536"],
  ["example.com:0443", "leading zero"],
  ["example.com:+443", "leading plus"],
  ["example.com: 443", "space in port"],
  ["example.com:443x", "trailing junk"],
  ["example.com:44 3", "space"],
  [" example.com:443", "leading space"],
  ["exa\x00mple.com:443", "NUL"],
  ["exa\tmple.com:443", "tab"],
  ["example.com\r\n:443", "CRLF"],
  ["ex\u00e4mple.com:443", "non-ASCII"],
  ["[::1:443", "unterminated IPv6"],
  ["[::1]", "IPv6 without port"],
  ["[::1]443", "IPv6 junk before port"],
  ["[::1]:", "IPv6 empty port"],
  ["[]:443", "empty brackets"],
  ["::1:443", "unbracketed IPv6"],
  ["[1.2.3.4]:443", "IPv4 in brackets"],
  ["[::1%25eth0]:443", "zone id"],
  ["[1:2:3:4:5:6:7:8:9]:1", "nine groups"],
  ["[1::2::3]:1", "two ::"],
  ["[12345::]:1", "group too long"],
  ["[1:2:3:4:5:6:7:8::]:1", "too many groups with ::"],
  ["[::g]:1", "non-hex"],
  ["1.2.3:443", "IPv4 shorthand"],
  ["127.1:443", "IPv4 shorthand 2"],
  ["1.2.3.256:443", "octet too big"],
  ["010.0.0.1:443", "octal-looking octet"],
  ["1.2.3.4.5:443", "five octets"],
  ["foo.123:443", "numeric last label"],
  ["0x7f.0.0.1:443", "hex IPv4"],
  ["1234:443", "bare number"],
  [".:443", "only a dot"],
  ["a..b:443", "empty label"],
  ["example.com..:443", "two trailing dots"],
  [".example.com:443", "leading dot"],
  ["-a.example:443", "leading hyphen"],
  ["a-.example:443", "trailing hyphen"],
  [`${"a".repeat(64)}.example:443`, "label of 64"],
  [`${LONG_OK}.a:443`, "host of 255"],
  ["user@example.com:443", "userinfo"],
  ["example.com:443/path", "path"],
  ["/foo", "origin-form"],
  ["http://example.com:443/", "absolute-form"],
  ["*:443", "asterisk"],
  ["exa mple.com:443", "space in host"],
  ["example.com:443:443", "two ports"],
];

describe("parseTarget", () => {
  for (const [input, host, port, kind, authority] of GOOD) {
    it(`accepts ${JSON.stringify(input)}`, () => {
      expect(parseTarget(input)).toEqual({ host, port, kind, authority });
      // Normalising is idempotent.
      expect(parseTarget(authority)).toEqual({ host, port, kind, authority });
    });
  }

  it("accepts a 253-character host", () => {
    expect(LONG_OK.length).toBe(253);
    expect(parseTarget(`${LONG_OK}:1`).host).toBe(LONG_OK);
    expect(parseTarget(`${LONG_OK}.:1`).host).toBe(LONG_OK);
  });

  for (const [input, why] of BAD) {
    it(`refuses ${JSON.stringify(input)} (${why})`, () => {
      let thrown: unknown;
      try {
        parseTarget(input);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(TunnelError);
      expect((thrown as TunnelError).code).toBe("TLSB_ERR_BAD_TARGET");
      expect((thrown as TunnelError).details).toBeTypeOf("string");
    });
  }

  it("canonicalIpv6 follows RFC 5952 (longest zero run, first on a tie, no single-group ::)", () => {
    expect(canonicalIpv6("1:0:0:2:0:0:0:3")).toBe("1:0:0:2::3");
    expect(canonicalIpv6("1:0:0:2:0:0:3:4")).toBe("1::2:0:0:3:4");
    expect(canonicalIpv6("1:0:2:3:4:5:6:7")).toBe("1:0:2:3:4:5:6:7");
    expect(canonicalIpv6("0001:00:a:B:c:d:e:f")).toBe("1:0:a:b:c:d:e:f");
    expect(canonicalIpv6("::2:3:4:5:6:7:8")).toBe("0:2:3:4:5:6:7:8");
    expect(canonicalIpv6("1::")).toBe("1::");
    expect(canonicalIpv6("1:2:3:4:5:6:7::")).toBe("1:2:3:4:5:6:7:0");
    expect(canonicalIpv6("::1.2.3.4")).toBe("::102:304");
    expect(canonicalIpv6("1:2")).toBeUndefined();
  });

  it("property: any string either parses to a fixed point or throws TLSB_ERR_BAD_TARGET", () => {
    const chars = fc.constantFrom(..."ab9.-_:[]%@ \x00\r\n0fF".split(""));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 24 }).map((a) => a.join("")), (s) => {
        try {
          const t = parseTarget(s);
          expect(parseTarget(t.authority)).toEqual(t);
          expect(t.port).toBeGreaterThanOrEqual(1);
          expect(t.port).toBeLessThanOrEqual(65535);
        } catch (e) {
          expect(e).toBeInstanceOf(TunnelError);
          expect((e as TunnelError).code).toBe("TLSB_ERR_BAD_TARGET");
        }
      }),
      { numRuns: 3000 },
    );
  });
});
