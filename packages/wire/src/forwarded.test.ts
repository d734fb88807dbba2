// Forwarded (RFC 7239) as the ingress writes it and the peer reads it: examples from the RFC, the
// quoting of IPv6 and ports, the `user` extension, and malformed values that must name nobody.
import { describe, expect, it } from "vitest";
import { formatForwarded, parseForwarded } from "./forwarded.ts";
import { isFieldValue } from "./header-fields.ts";

const v4 = { address: "192.0.2.43", family: "ipv4", port: 47011 } as const;
const v6 = { address: "2001:db8:cafe::17", family: "ipv6", port: 4711 } as const;

describe("formatForwarded", () => {
  it("quotes the node (':' is not a token character) and brackets IPv6 (RFC 7239 §6)", () => {
    expect(formatForwarded(v4)).toBe('for="192.0.2.43:47011"');
    expect(formatForwarded(v6)).toBe('for="[2001:db8:cafe::17]:4711"');
  });

  it("writes `unknown` when the client's address is gone", () => {
    expect(formatForwarded(undefined)).toBe("for=unknown");
  });

  it("adds the proxy user, percent-encoded so any user name makes a valid header value", () => {
    expect(formatForwarded(v4, "alice")).toBe('for="192.0.2.43:47011";user="alice"');
    const odd = 'bö"b\\;,=ユーザー';
    const value = formatForwarded(v6, odd);
    expect(isFieldValue(value)).toBe(true);
    expect(parseForwarded([value])).toEqual({ client: v6, user: odd });
  });
});

describe("parseForwarded", () => {
  it("reads what formatForwarded writes", () => {
    expect(parseForwarded([formatForwarded(v4, "alice")])).toEqual({ client: v4, user: "alice" });
    expect(parseForwarded([formatForwarded(v6)])).toEqual({ client: v6, user: undefined });
    expect(parseForwarded([formatForwarded(undefined, "alice")])).toEqual({ client: undefined, user: "alice" });
  });

  it("takes the last element, the hop nearest to the reader (RFC 7239 §4)", () => {
    expect(parseForwarded(['for="198.51.100.1:1", for="192.0.2.43:47011"']).client).toEqual(v4);
    expect(parseForwarded(['for="198.51.100.1:1";user=mallory', 'for="192.0.2.43:47011"'])).toEqual({ client: v4, user: undefined });
  });

  it("accepts the RFC's syntax: case-insensitive names, OWS, other parameters, quoted-pairs", () => {
    expect(parseForwarded(['For="192.0.2.43:47011" ;proto=https; by=203.0.113.43']).client).toEqual(v4);
    expect(parseForwarded(['for="[2001:db8:cafe::17]:4711"']).client).toEqual(v6);
    expect(parseForwarded(['for="\\[2001:db8:cafe::17\\]:4711"']).client).toEqual(v6);
    expect(parseForwarded(['for="[::ffff:192.0.2.43]:47011"']).client).toEqual(v4);
  });

  it("names no client for nodes that are not an address with a port", () => {
    for (const node of ["unknown", "_hidden", "192.0.2.43", '"[2001:db8::1]"', '"192.0.2.43:_port"', '"[192.0.2.43]:80"',
      '"192.0.2.43:65536"', '"2001:db8::1:80"', '"host.example:80"']) {
      expect(parseForwarded([`for=${node}`]).client, node).toBeUndefined();
    }
  });

  it("names nobody when the header is malformed or absent", () => {
    for (const bad of ['for="192.0.2.43:47011', "for", "for=", 'for="192.0.2.43:1";for="192.0.2.43:2"', "for=a b", 'for="192.0.2.43:1" x',
      "=x", "user=%zz;for"]) {
      expect(parseForwarded([bad]), bad).toEqual({ client: undefined, user: undefined });
    }
    expect(parseForwarded([])).toEqual({ client: undefined, user: undefined });
    expect(parseForwarded(["user=%E0%A4%A"]).user).toBeUndefined();
  });
});
