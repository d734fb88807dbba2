// The validation toolkit the config loaders reuse: each expect* is checked for its value and its exact problem text.
import { describe, expect, it } from "vitest";
import type { ConfigProblem } from "./config-error.ts";
import { parseYamlText } from "./yaml-source.ts";
import type { YamlSource } from "./yaml-source.ts";
import {
  describeNode,
  expectBoolean,
  expectInt,
  expectMap,
  expectPort,
  expectPortList,
  expectString,
  expectStringList,
  requireKey,
} from "./yaml-validate.ts";

function setup(text: string): { source: YamlSource; problems: ConfigProblem[]; root: unknown } {
  const source = parseYamlText(text, "c.yaml");
  return { source, problems: [], root: source.doc.contents };
}

const at = (problems: ConfigProblem[]) => problems.map((p) => `${p.line}:${p.column} ${p.message}`);

describe("expectMap / requireKey", () => {
  it("returns the allowed keys' value nodes and rejects unknown keys at the key", () => {
    const { source, problems, root } = setup("listen: 1.2.3.4:80\nlisten_port: 9\ntls: {}\n");
    const fields = expectMap(root, source, problems, ["listen", "tls"]);
    expect([...(fields?.values.keys() ?? [])]).toEqual(["listen", "tls"]);
    expect(at(problems)).toEqual(["2:1 unknown key 'listen_port'; expected one of listen, tls"]);
  });

  it("reports a missing required key at the mapping, and non-mappings with what they hold", () => {
    const { source, problems, root } = setup("outer:\n  inner: x\nlist: [1]\n");
    const top = expectMap(root, source, problems, ["outer", "list"]);
    const outer = expectMap(top?.values.get("outer"), source, problems, ["inner", "needed"]);
    expect(outer).toBeDefined();
    expect(requireKey(outer!, "needed", source, problems)).toBeUndefined();
    expect(expectMap(top?.values.get("list"), source, problems, [])).toBeUndefined();
    expect(at(problems)).toEqual(["2:3 missing required key 'needed'", "3:7 expected a mapping, got a list"]);
  });

  it("an empty document is 'nothing' at 1:1; non-string keys are rejected", () => {
    const empty = setup("");
    expect(expectMap(empty.root, empty.source, empty.problems, ["a"])).toBeUndefined();
    expect(at(empty.problems)).toEqual(["1:1 expected a mapping, got nothing"]);
    const numeric = setup("443: x\n");
    expectMap(numeric.root, numeric.source, numeric.problems, ["a"]);
    expect(at(numeric.problems)).toEqual(["1:1 expected a string key, got number 443"]);
  });

  it("follows aliases", () => {
    const { source, problems, root } = setup("base: &b {port: 443}\nuse: *b\n");
    const top = expectMap(root, source, problems, ["base", "use"]);
    const use = expectMap(top?.values.get("use"), source, problems, ["port"]);
    expect(expectPort(use?.values.get("port"), source, problems)).toBe(443);
    expect(problems).toEqual([]);
  });
});

describe("scalar expectations", () => {
  const text = [
    "s: hello", // 1
    "e: ''", // 2
    "n: 443", // 3
    "q: '443'", // 4
    "big: 70000", // 5
    "f: 1.5", // 6
    "b: true", // 7
    "none:", // 8
  ].join("\n");

  it("return the value when right, else undefined with a positioned problem naming what was expected", () => {
    const { source, problems, root } = setup(text);
    const m = expectMap(root, source, problems, ["s", "e", "n", "q", "big", "f", "b", "none"])!;
    const v = (k: string) => m.values.get(k);
    expect(expectString(v("s"), source, problems)).toBe("hello");
    expect(expectString(v("e"), source, problems)).toBe("");
    expect(expectString(v("e"), source, problems, { nonEmpty: true })).toBeUndefined();
    expect(expectString(v("n"), source, problems)).toBeUndefined();
    expect(expectPort(v("n"), source, problems)).toBe(443);
    expect(expectPort(v("q"), source, problems)).toBeUndefined();
    expect(expectPort(v("big"), source, problems)).toBeUndefined();
    expect(expectInt(v("f"), source, problems, 0, 10)).toBeUndefined();
    expect(expectInt(v("n"), source, problems, 1, 1000)).toBe(443);
    expect(expectBoolean(v("b"), source, problems)).toBe(true);
    expect(expectBoolean(v("none"), source, problems)).toBeUndefined();
    expect(at(problems)).toEqual([
      "2:4 expected a non-empty string, got an empty string",
      "3:4 expected a string, got number 443",
      "4:4 expected a port number (1-65535), got string '443'",
      "5:6 expected a port number (1-65535), got number 70000",
      "6:4 expected an integer from 0 to 10, got number 1.5",
      "8:6 expected true or false, got nothing",
    ]);
  });

  it("describeNode truncates long strings", () => {
    const { source } = setup(`x: ${"a".repeat(50)}\n`);
    expect(describeNode(source.doc.get("x", true))).toBe(`string '${"a".repeat(40)}...'`);
  });
});

describe("list expectations", () => {
  it("expectStringList and expectPortList check every item", () => {
    const { source, problems, root } = setup("names: [a, b]\nmixed: [a, 1]\nports: [443, 8443]\nbad: [443, 0, 443]\nempty: []\nscalar: 443\n");
    const m = expectMap(root, source, problems, ["names", "mixed", "ports", "bad", "empty", "scalar"])!;
    expect(expectStringList(m.values.get("names"), source, problems)).toEqual(["a", "b"]);
    expect(expectStringList(m.values.get("mixed"), source, problems)).toBeUndefined();
    expect(expectPortList(m.values.get("ports"), source, problems)).toEqual([443, 8443]);
    expect(expectPortList(m.values.get("bad"), source, problems)).toBeUndefined();
    expect(expectPortList(m.values.get("empty"), source, problems)).toBeUndefined();
    expect(expectPortList(m.values.get("scalar"), source, problems)).toBeUndefined();
    expect(at(problems)).toEqual([
      "2:12 expected a string, got number 1",
      "4:12 expected a port number (1-65535), got number 0",
      "4:15 duplicate port 443",
      "5:8 expected at least one port; leave out 'ports' to allow any port",
      "6:9 expected a list, got number 443",
    ]);
  });
});
