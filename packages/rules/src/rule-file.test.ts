// Rule files as operators write them: the documented example, and every problem at its exact position.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.ts";
import { loadRuleFile, parseRuleFile } from "./rule-file.ts";
import type { RuleFileOptions } from "./rule-file.ts";

function messages(text: string, options?: RuleFileOptions): string[] {
  try {
    parseRuleFile(text, "sites/hq.yaml", options);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split("\n");
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("parseRuleFile", () => {
  it("parses the documented example, with positions and ports", () => {
    const set = parseRuleFile(
      [
        "# configs/sites/hq.yaml",
        "rules:",
        "  - match: '.*[.]service[.]example'   # anchored",
        "    ports: [443]",
        "    peer: cloud-east",
        "  - match: 'db[0-9]+[.]internal'",
        "    peer: cloud-east",
      ].join("\n"),
      "sites/hq.yaml",
      { knownPeers: ["cloud-east"] },
    );
    expect(set.rules.map(({ index, match, ports, peer, file, line, column }) => ({ index, match, ports, peer, file, line, column }))).toEqual([
      { index: 0, match: ".*[.]service[.]example", ports: [443], peer: "cloud-east", file: "sites/hq.yaml", line: 3, column: 5 },
      { index: 1, match: "db[0-9]+[.]internal", ports: undefined, peer: "cloud-east", file: "sites/hq.yaml", line: 6, column: 5 },
    ]);
    expect(set.match("x.service.example", 443)?.rule.index).toBe(0);
    expect(set.match("x.service.example.evil.test", 443)).toBeUndefined();
    expect(set.match("db3.internal", 22)?.rule.line).toBe(6);
  });

  it("collects every problem with exact file:line:column and what was expected", () => {
    const text = [
      "rules:", // 1
      "  - match: ''", // 2
      "    peer: cloud-east", // 3
      "  - match: '(a)\\1'", // 4
      "    prots: [443]", // 5
      "    peer: cloud-west", // 6
      "  - match: '[a-'", // 7
      "    ports: [0, '443', 443, 443]", // 8
      "  - peer:", // 9
      "  - 5", // 10
      "  - match: ok", // 11
      "    peer: [x]", // 12
    ].join("\n");
    expect(messages(text, { knownPeers: ["cloud-east"] })).toEqual([
      "sites/hq.yaml:2:12: empty pattern; use '.*' to match every host",
      "sites/hq.yaml:4:12: backreference `\\1` is not supported by the linear-time engine (re2js); rewrite the pattern without it",
      "sites/hq.yaml:5:5: unknown key 'prots'; expected one of match, ports, peer, users",
      "sites/hq.yaml:6:11: unknown peer 'cloud-west'; expected one of cloud-east",
      "sites/hq.yaml:7:5: missing required key 'peer'",
      "sites/hq.yaml:7:12: invalid regular expression: missing closing ]: `[a-`",
      "sites/hq.yaml:8:13: expected a port number (1-65535), got number 0",
      "sites/hq.yaml:8:16: expected a port number (1-65535), got string '443'",
      "sites/hq.yaml:8:28: duplicate port 443",
      "sites/hq.yaml:9:5: missing required key 'match'",
      "sites/hq.yaml:9:10: expected a non-empty string, got nothing",
      "sites/hq.yaml:10:5: expected a mapping, got number 5",
      "sites/hq.yaml:12:11: expected a non-empty string, got a list",
    ]);
  });

  it("checks peers only when knownPeers is given, and says when none are configured", () => {
    const text = "rules:\n  - match: a\n    peer: ghost\n";
    expect(parseRuleFile(text, "f.yaml").rules[0]?.peer).toBe("ghost");
    expect(messages(text, { knownPeers: [] })).toEqual(["sites/hq.yaml:3:11: unknown peer 'ghost'; expected one of (no peers configured)"]);
  });

  it("reads users: on a rule, and reports an empty list and a bad pattern where they stand", () => {
    const set = parseRuleFile("rules:\n  - match: 'db[.]internal'\n    peer: p\n    users: [alice, 'ops-.*']\n", "sites/hq.yaml");
    expect(set.rules[0]?.users?.sources).toEqual(["alice", "ops-.*"]);
    expect(set.match("db.internal", 1, "ops-1")?.rule.peer).toBe("p");
    expect(messages("rules:\n  - match: a\n    peer: p\n    users: []\n  - match: b\n    peer: p\n    users: ['(x']\n")).toEqual([
      "sites/hq.yaml:4:12: users: is empty, so no one could take this rule; list user names or patterns, or drop the key",
      expect.stringMatching(/^sites\/hq\.yaml:7:13: invalid regular expression: /),
    ]);
  });

  it("rejects a wrong top level", () => {
    expect(messages("rule:\n  - match: a\n")).toEqual([
      "sites/hq.yaml:1:1: unknown key 'rule'; expected one of rules",
      "sites/hq.yaml:1:1: missing required key 'rules'",
    ]);
    expect(messages("")).toEqual(["sites/hq.yaml:1:1: expected a mapping, got nothing"]);
    expect(messages("rules: {match: a}\n")).toEqual(["sites/hq.yaml:1:8: expected a list, got a mapping"]);
  });

  it("reports YAML syntax errors the same way", () => {
    expect(messages("rules:\n  - match: a\n    match: b\n    peer: p\n")).toEqual(["sites/hq.yaml:3:5: YAML: Map keys must be unique"]);
  });

  it("accepts an empty rule list (refuses everything)", () => {
    const set = parseRuleFile("rules: []\n", "f.yaml");
    expect(set.rules).toEqual([]);
    expect(set.match("a", 1)).toBeUndefined();
  });

  it("thrown errors carry the code and the problems", () => {
    try {
      parseRuleFile("rules:\n  - match: a\n", "f.yaml");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe("TLSB_ERR_CONFIG");
      expect((err as ConfigError).problems).toEqual([{ file: "f.yaml", line: 2, column: 5, message: "missing required key 'peer'" }]);
    }
  });
});

describe("loadRuleFile", () => {
  it("reads a file and names it in rules and problems", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tlsb-rules-"));
    const good = join(dir, "good.yaml");
    const bad = join(dir, "bad.yaml");
    await writeFile(good, "rules:\n  - match: a[.]b\n    peer: p\n");
    await writeFile(bad, "rules:\n  - match: a\n    peer: p\n    extra: 1\n");
    const set = await loadRuleFile(good, { knownPeers: ["p"] });
    expect(set.rules[0]).toMatchObject({ file: good, line: 2, column: 5 });
    await expect(loadRuleFile(bad)).rejects.toThrow(`${bad}:4:5: unknown key 'extra'; expected one of match, ports, peer`);
  });
});
