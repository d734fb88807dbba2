// The `clients:` CIDR matcher: IPv4, IPv6, IPv4-mapped IPv6 addresses, and the config problems.
import { describe, expect, it } from "vitest";
import { ClientNetworks, parseCidr, parseClientNetworks } from "./client-networks.ts";
import type { ConfigProblem } from "./config-error.ts";
import { parseYamlText } from "./yaml-source.ts";
import { expectMap } from "./yaml-validate.ts";

describe("parseCidr", () => {
  it("reads blocks and bare addresses of both families", () => {
    expect(parseCidr("10.0.0.0/8")).toEqual({ address: "10.0.0.0", prefix: 8, family: "ipv4" });
    expect(parseCidr("0.0.0.0/0")).toEqual({ address: "0.0.0.0", prefix: 0, family: "ipv4" });
    expect(parseCidr("127.0.0.2")).toEqual({ address: "127.0.0.2", prefix: 32, family: "ipv4" });
    expect(parseCidr("2001:db8::/32")).toEqual({ address: "2001:db8::", prefix: 32, family: "ipv6" });
    expect(parseCidr("::1")).toEqual({ address: "::1", prefix: 128, family: "ipv6" });
  });

  it("says what is wrong with anything else", () => {
    expect(parseCidr("10.0.0.0/33")).toBe("'10.0.0.0/33' is not a CIDR block: the prefix length must be 0 to 32");
    expect(parseCidr("::/129")).toBe("'::/129' is not a CIDR block: the prefix length must be 0 to 128");
    for (const bad of ["10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8/8", "10.0.0.0/ 8", "10.0.0.0/1e1"]) {
      expect(parseCidr(bad)).toMatch(/is not a CIDR block: the prefix length/);
    }
    for (const bad of ["10.0.0/8", "corp.example/24", "300.1.1.1", "", "::g/64", "[::1]/128", "fe80::1%eth0"]) {
      expect(parseCidr(bad)).toMatch(/is not a CIDR block: '.*' is not an IPv4 or IPv6 address/);
    }
  });
});

describe("ClientNetworks", () => {
  it("admits anyone when empty", () => {
    const anyone = ClientNetworks.fromStrings([]);
    expect(anyone.admits("192.0.2.1")).toBe(true);
    expect(anyone.admits("2001:db8::1")).toBe(true);
  });

  it("admits exactly the addresses inside a listed block", () => {
    const list = ClientNetworks.fromStrings(["10.1.0.0/16", "127.0.0.2/32", "2001:db8:5::/48"]);
    expect(list.admits("10.1.255.255")).toBe(true);
    expect(list.admits("10.2.0.0")).toBe(false);
    expect(list.admits("127.0.0.2")).toBe(true);
    expect(list.admits("127.0.0.1")).toBe(false);
    expect(list.admits("2001:db8:5:ffff::1")).toBe(true);
    expect(list.admits("2001:db8:6::1")).toBe(false);
    expect(list.admits("::1")).toBe(false);
  });

  it("matches an IPv4-mapped IPv6 client (a dual-stack listener's view) against IPv4 blocks", () => {
    const list = ClientNetworks.fromStrings(["127.0.0.2/32"]);
    expect(list.admits("::ffff:127.0.0.2")).toBe(true);
    expect(list.admits("::ffff:7f00:2")).toBe(true);
    expect(list.admits("::ffff:127.0.0.1")).toBe(false);
  });

  it("refuses a client whose address is unknown (the socket is already gone) or not an address", () => {
    const list = ClientNetworks.fromStrings(["0.0.0.0/0", "::/0"]);
    expect(list.admits(undefined)).toBe(false);
    expect(list.admits("localhost")).toBe(false);
    expect(list.admits("192.0.2.1")).toBe(true);
  });

  it("throws for a string that is not a block", () => {
    expect(() => ClientNetworks.fromStrings(["10/8"])).toThrow("'10/8' is not a CIDR block");
  });
});

describe("parseClientNetworks", () => {
  const parse = (yaml: string) => {
    const source = parseYamlText(yaml, "ingress.yaml");
    const problems: ConfigProblem[] = [];
    const top = expectMap(source.doc.contents, source, problems, ["clients"]);
    return { list: parseClientNetworks(top?.values.get("clients"), source, problems), problems };
  };

  it("parses a list of blocks", () => {
    const { list, problems } = parse("clients: [10.0.0.0/8, '::1']\n");
    expect(problems).toEqual([]);
    expect(list?.cidrs.map((c) => `${c.address}/${c.prefix}`)).toEqual(["10.0.0.0/8", "::1/128"]);
  });

  it("reports every bad entry with its line and column", () => {
    const { list, problems } = parse(["clients:", "  - 10.0.0.0/8", "  - 10.0.0.0/40", "  - 8080", "  - corp/24"].join("\n"));
    expect(list).toBeUndefined();
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`)).toEqual([
      "ingress.yaml:3:5: '10.0.0.0/40' is not a CIDR block: the prefix length must be 0 to 32",
      "ingress.yaml:4:5: expected a non-empty string, got number 8080",
      "ingress.yaml:5:5: 'corp/24' is not a CIDR block: 'corp' is not an IPv4 or IPv6 address (write e.g. 10.0.0.0/8 or fd00::/8)",
    ]);
  });

  it("wants a list", () => {
    const { problems } = parse("clients: 10.0.0.0/8\n");
    expect(problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual(["1:10: expected a list, got string '10.0.0.0/8'"]);
  });
});
