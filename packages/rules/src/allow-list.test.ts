// The peer's allow list: nothing open by default, same match semantics as rules, problems collected.
import { describe, expect, it } from "vitest";
import { AllowList, parseAllowList } from "./allow-list.ts";
import { ConfigError } from "./config-error.ts";
import type { ConfigProblem } from "./config-error.ts";
import { parseYamlText } from "./yaml-source.ts";
import { expectMap } from "./yaml-validate.ts";

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
    expect(list.allows("a.service.example", 443)).toBe(true);
    expect(list.allows("A.SERVICE.EXAMPLE.", 443)).toBe(true);
    expect(list.allows("a.service.example", 80)).toBe(false);
    expect(list.allows("a.service.example.evil.test", 443)).toBe(false);
    expect(list.allows("db1.internal", 5432)).toBe(true);
    expect(list.find("db1.internal", 5432)?.index).toBe(1);
    expect(list.allows("db.internal", 5432)).toBe(false);
  });

  it("appends problems (no peer key here) when given an array, throws one ConfigError otherwise", () => {
    const source = parseYamlText("allow:\n  - match: a\n    peer: x\n  - ports: [443]\n", "peer.yaml");
    const node = (source.doc.contents as { get(k: string, keep: true): unknown }).get("allow", true);
    const problems: ConfigProblem[] = [];
    parseAllowList(node, source, problems);
    const expected = [
      "peer.yaml:3:5: unknown key 'peer'; expected one of match, ports, proxyProtocol",
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
    expect(list.allows("a", 1)).toBe(false);
  });
});

describe("AllowList", () => {
  it("an empty list allows nothing", () => {
    const list = AllowList.fromEntries([]);
    expect(list.allows("anything", 443)).toBe(false);
    expect(list.allows("", 1)).toBe(false);
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
      expect(list.allows("a.x", 1)).toBe(true);
      expect(list.allows("a.x", 2)).toBe(true);
      expect(list.allows("b.x", 1)).toBe(false);
      expect(list.allows("b.x", 2)).toBe(true);
      expect(list.allows("b.y", 2)).toBe(false);
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
    expect(list.find("pp.internal", 80)?.proxyProtocol).toBe("v2");
    expect(list.find("db.internal", 80)?.proxyProtocol).toBeUndefined();
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
