// The peer's allow list: nothing open by default, same match semantics as rules, problems collected.
import { describe, expect, it } from "vitest";
import { AllowList, parseAllowList } from "./allow-list.ts";
import { ConfigError } from "./config-error.ts";
import type { ConfigProblem } from "./config-error.ts";
import { parseYamlText } from "./yaml-source.ts";
import { expectMap } from "./yaml-validate.ts";

/** Whether any entry admits `host:port` for an ingress named `names`. */
function allows(list: AllowList, host: string, port: number, names: readonly string[] = []): boolean {
  return list.admitting(host, port, names).length > 0;
}

const peerYaml = [
  "listen: 0.0.0.0:4443", // 1
  "allow:", // 2
  "  - match: '.*[.]service[.]example'", // 3
  "    ports: [443]", // 4
  "  - match: 'db[0-9]+[.]internal'", // 5
].join("\n");

describe("parseAllowList", () => {
  it("parses entries with positions and allows only what is listed", () => {
    const source = parseYamlText(peerYaml, "peer.yaml");
    const problems: ConfigProblem[] = [];
    const top = expectMap(source.doc.contents, source, problems, ["listen", "allow"]);
    const list = parseAllowList(top?.values.get("allow"), source, problems);
    expect(problems).toEqual([]);
    expect(list.entries.map((e) => [e.index, e.match, e.ports, e.line, e.column])).toEqual([
      [0, ".*[.]service[.]example", [443], 3, 5],
      [1, "db[0-9]+[.]internal", undefined, 5, 5],
    ]);
    expect(allows(list, "a.service.example", 443)).toBe(true);
    expect(allows(list, "A.SERVICE.EXAMPLE.", 443)).toBe(true);
    expect(allows(list, "a.service.example", 80)).toBe(false);
    expect(allows(list, "a.service.example.evil.test", 443)).toBe(false);
    expect(allows(list, "db1.internal", 5432)).toBe(true);
    expect(list.forTarget("db1.internal", 5432).map((e) => e.index)).toEqual([1]);
    expect(allows(list, "db.internal", 5432)).toBe(false);
  });

  it("appends problems (no peer key here) when given an array, throws one ConfigError otherwise", () => {
    const source = parseYamlText("allow:\n  - match: a\n    peer: x\n  - ports: [443]\n", "peer.yaml");
    const node = (source.doc.contents as { get(k: string, keep: true): unknown }).get("allow", true);
    const problems: ConfigProblem[] = [];
    parseAllowList(node, source, problems);
    const expected = [
      "peer.yaml:3:5: unknown key 'peer'; expected one of match, ports, ingresses, addresses, proxyProtocol",
      "peer.yaml:4:5: missing required key 'match'",
    ];
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`)).toEqual(expected);
    expect(() => parseAllowList(node, source)).toThrow(ConfigError);
    expect(() => parseAllowList(node, source)).toThrow(expected.join("\n"));
  });

  it("reports a missing or non-list allow", () => {
    const source = parseYamlText("allow: yes\n", "peer.yaml");
    const problems: ConfigProblem[] = [];
    const list = parseAllowList(source.doc.get("allow", true), source, problems);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual(["1:8 expected a list, got string 'yes'"]);
    expect(allows(list, "a", 1)).toBe(false);
  });
});

describe("AllowList", () => {
  it("an empty list allows nothing", () => {
    const list = AllowList.fromEntries([]);
    expect(allows(list, "anything", 443)).toBe(false);
    expect(allows(list, "", 1)).toBe(false);
  });

  it("fromEntries: any entry may allow, order does not matter; decisions are cached without changing them", () => {
    const list = AllowList.fromEntries(
      [
        { match: "a[.]x", ports: [1] },
        { match: ".*[.]x", ports: [2] },
      ],
      { cacheSize: 2 },
    );
    for (let round = 0; round < 3; round++) {
      expect(allows(list, "a.x", 1)).toBe(true);
      expect(allows(list, "a.x", 2)).toBe(true);
      expect(allows(list, "b.x", 1)).toBe(false);
      expect(allows(list, "b.x", 2)).toBe(true);
      expect(allows(list, "b.y", 2)).toBe(false);
    }
  });
});

describe("proxyProtocol on allow entries", () => {
  it("is read per entry, and the first entry allowing a destination decides", () => {
    const source = parseYamlText([
      "allow:",
      "  - match: 'pp[.]internal'",
      "    proxyProtocol: v2",
      "  - match: '.*[.]internal'",
    ].join("\n"), "peer.yaml");
    const node = (source.doc.contents as { get(k: string, keep: true): unknown }).get("allow", true);
    const list = parseAllowList(node, source);
    expect(list.forTarget("pp.internal", 80)[0]?.proxyProtocol).toBe("v2");
    expect(list.forTarget("db.internal", 80)[0]?.proxyProtocol).toBeUndefined();
  });

  it("accepts only v2, with the value's position", () => {
    const source = parseYamlText("allow:\n  - match: a\n    proxyProtocol: v1\n  - match: b\n    proxyProtocol: 2\n", "peer.yaml");
    const node = (source.doc.contents as { get(k: string, keep: true): unknown }).get("allow", true);
    const problems: ConfigProblem[] = [];
    const list = parseAllowList(node, source, problems);
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`)).toEqual([
      "peer.yaml:3:20: expected proxyProtocol v2, got string 'v1'",
      "peer.yaml:5:20: expected proxyProtocol v2, got number 2",
    ]);
    expect(list.entries).toEqual([]);
  });
});

describe("per-identity entries (ingresses:) and addresses:", () => {
  const yaml = [
    "allow:", // 1
    "  - match: 'db[.]internal'", // 2
    "    ingresses: ['spiffe://corp[.]example/ingress/hq', 'ops[.]corp[.]example']", // 3
    "  - match: '.*[.]service[.]example'", // 4
    "  - match: localhost", // 5
    "    addresses: [127.0.0.0/8, '::1']", // 6
  ].join("\n");
  const source = parseYamlText(yaml, "peer.yaml");
  const list = parseAllowList(source.doc.get("allow", true), source);

  it("an entry with ingresses: admits only a certificate carrying a matching DNS name, URI or CN", () => {
    expect(allows(list, "db.internal", 5432, ["spiffe://corp.example/ingress/hq"])).toBe(true);
    expect(allows(list, "db.internal", 5432, ["hq.corp.example", "ops.corp.example"])).toBe(true);
    expect(allows(list, "db.internal", 5432, ["spiffe://corp.example/ingress/branch"])).toBe(false);
    // Anchored: a longer URI with the same prefix is another identity.
    expect(allows(list, "db.internal", 5432, ["spiffe://corp.example/ingress/hq/x"])).toBe(false);
    expect(allows(list, "db.internal", 5432, [])).toBe(false);
  });

  it("an entry without ingresses: applies to every ingress", () => {
    expect(allows(list, "a.service.example", 443, [])).toBe(true);
    expect(allows(list, "a.service.example", 443, ["spiffe://corp.example/ingress/branch"])).toBe(true);
  });

  it("keeps the address ranges of an entry", () => {
    const entry = list.forTarget("localhost", 9)[0];
    expect(entry?.addresses?.sources).toEqual(["127.0.0.0/8", "::1"]);
    expect(entry?.addresses?.includes("127.0.0.53")).toBe(true);
    expect(entry?.addresses?.includes("::ffff:127.0.0.1")).toBe(true);
    expect(entry?.addresses?.includes("10.0.0.1")).toBe(false);
    expect(list.forTarget("a.service.example", 443)[0]?.addresses).toBeUndefined();
  });

  it("reports bad identities and address ranges with their positions", () => {
    const bad = parseYamlText([
      "allow:",
      "  - match: a",
      "    ingresses: []",
      "  - match: b",
      "    addresses: [10.0.0.0/33, 'localhost', '::1']",
      "  - match: c",
      "    ingresses: ['(x']",
      "    addresses: []",
    ].join("\n"), "peer.yaml");
    const problems: ConfigProblem[] = [];
    const parsed = parseAllowList(bad.doc.get("allow", true), bad, problems);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      "3:16 an empty `ingresses` list would admit no ingress; leave the key out for every ingress the peer accepts",
      "5:17 prefix length in '10.0.0.0/33' must be 0 to 32",
      "5:30 expected an IP address or CIDR range ('127.0.0.0/8', '::1', 'fd00:ec2::254'), got 'localhost'",
      expect.stringMatching(/^7:17 invalid regular expression/),
      "8:16 an empty `addresses` list would admit no address; leave the key out to admit any address but the special-purpose ones",
    ]);
    expect(parsed.entries).toEqual([]);
  });
});
