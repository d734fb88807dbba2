// Loads a site's rule file (configs/sites/<site>.yaml) into a RuleSet, collecting every problem with
// its file:line:column before throwing once.
import type { ConfigProblem } from "./config-error.ts";
import { throwIfProblems } from "./config-error.ts";
import { parseMatchFields } from "./match-fields.ts";
import { RuleSet } from "./rule-set.ts";
import type { Rule } from "./rule-set.ts";
import { addProblem, positionOf, parseYamlText, readYamlFile } from "./yaml-source.ts";
import type { YamlSource } from "./yaml-source.ts";
import { expectMap, expectSeq, expectString, requireKey, resolveNode } from "./yaml-validate.ts";

/** Options for rule parsing. */
export type RuleFileOptions = {
  /** Peer (and peer group) names the ingress knows; a rule naming another is a problem at its `peer:` value. */
  readonly knownPeers?: Iterable<string>;
  /** Decision cache size for the resulting RuleSet. */
  readonly cacheSize?: number;
};

const RULE_KEYS = ["match", "ports", "peer"] as const;

/**
 * Validates a `rules:` list node (`- {match, ports?, peer}` entries) into rules, appending problems.
 * Exposed so a config that inlines rules can reuse it; rule files go through `parseRuleFile`.
 */
export function parseRuleList(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
  options: RuleFileOptions = {},
): Rule[] {
  const known = options.knownPeers === undefined ? undefined : new Set(options.knownPeers);
  const items = expectSeq(node, source, problems);
  if (items === undefined) return [];
  const rules: Rule[] = [];
  items.forEach((item, index) => {
    const fields = expectMap(item, source, problems, RULE_KEYS);
    if (fields === undefined) return;
    const matched = parseMatchFields(fields, source, problems);
    const peerNode = requireKey(fields, "peer", source, problems);
    let peer: string | undefined;
    if (fields.values.has("peer")) {
      peer = expectString(peerNode, source, problems, { nonEmpty: true });
      if (peer !== undefined && known !== undefined && !known.has(peer)) {
        const names = [...known].sort().join(", ");
        addProblem(resolveNode(peerNode, source), source, problems,
          `unknown peer '${peer}'; expected one of ${names === "" ? "(no peers configured)" : names}`);
        peer = undefined;
      }
    }
    if (matched === undefined || peer === undefined) return;
    const at = positionOf(fields.node, source);
    rules.push({ index, ...matched, peer, file: source.file, line: at.line, column: at.column });
  });
  return rules;
}

/** Validates a parsed rule file (`rules:` at the top, nothing else) into a RuleSet; throws one ConfigError. */
export function ruleSetFromYaml(source: YamlSource, options: RuleFileOptions = {}): RuleSet {
  const problems: ConfigProblem[] = [];
  const top = expectMap(source.doc.contents, source, problems, ["rules"]);
  let rules: Rule[] = [];
  if (top !== undefined) {
    const list = requireKey(top, "rules", source, problems);
    if (top.values.has("rules")) rules = parseRuleList(list, source, problems, options);
  }
  throwIfProblems(problems);
  return new RuleSet(rules, options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize });
}

/** Parses rule-file text; `fileName` is used in problems. Throws `ConfigError` listing every problem. */
export function parseRuleFile(text: string, fileName: string, options: RuleFileOptions = {}): RuleSet {
  return ruleSetFromYaml(parseYamlText(text, fileName), options);
}

/** Reads and parses a rule file; problems name `path` as given. */
export async function loadRuleFile(path: string, options: RuleFileOptions = {}): Promise<RuleSet> {
  return ruleSetFromYaml(await readYamlFile(path), options);
}
