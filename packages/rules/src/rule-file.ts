// Loads a site's rule file (configs/sites/<site>.yaml) into a RuleSet, collecting every problem with
// its file:line:column before throwing once.
import type { ConfigProblem } from "./config-error.ts";
import { throwIfProblems } from "./config-error.ts";
import { HostPatternError } from "./host-pattern.ts";
import { parseMatchFields } from "./match-fields.ts";
import { RuleSet } from "./rule-set.ts";
import type { Rule } from "./rule-set.ts";
import { compileUserPatterns } from "./user-patterns.ts";
import type { UserPatterns } from "./user-patterns.ts";
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

const RULE_KEYS = ["match", "ports", "peer", "users"] as const;

/**
 * Validates a `rules:` list node (`- {match, ports?, peer, users?}` entries) into rules, appending problems.
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
    const users = fields.values.has("users") ? parseUsers(fields.values.get("users"), source, problems) : undefined;
    if (matched === undefined || peer === undefined || users === null) return;
    const at = positionOf(fields.node, source);
    rules.push({ index, ...matched, peer, ...(users !== undefined ? { users } : {}), file: source.file, line: at.line, column: at.column });
  });
  return rules;
}

/** `users:` (a non-empty list of anchored, case-sensitive user name patterns), or null after a problem. */
function parseUsers(node: unknown, source: YamlSource, problems: ConfigProblem[]): UserPatterns | null {
  const items = expectSeq(node, source, problems);
  if (items === undefined) return null;
  if (items.length === 0) {
    addProblem(resolveNode(node, source), source, problems, "users: is empty, so no one could take this rule; list user names or patterns, or drop the key");
    return null;
  }
  let ok = true;
  const patterns: string[] = [];
  for (const item of items) {
    const pattern = expectString(item, source, problems, { nonEmpty: true });
    if (pattern === undefined) {
      ok = false;
      continue;
    }
    try {
      compileUserPatterns([pattern]);
      patterns.push(pattern);
    } catch (err) {
      if (!(err instanceof HostPatternError)) throw err;
      addProblem(resolveNode(item, source), source, problems, err.message);
      ok = false;
    }
  }
  return ok ? compileUserPatterns(patterns) : null;
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
