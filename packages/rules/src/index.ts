// @tlsbridge/rules: rule files, the peer's allow list, and the YAML-with-positions toolkit the node
// config loaders reuse. Pure apart from reading files; imports nothing else of ours.
//
// The toolkit, in one example (what the config package does for peer.yaml):
//
//   const source = await readYamlFile("configs/peer.yaml");          // syntax errors: ConfigError
//   const problems: ConfigProblem[] = [];
//   const top = expectMap(source.doc.contents, source, problems, ["listen", "tls", "allow"]);
//   if (top) {
//     const listen = expectString(requireKey(top, "listen", source, problems), source, problems);
//     const allow = parseAllowList(requireKey(top, "allow", source, problems), source, problems);
//   }
//   throwIfProblems(problems);   // one ConfigError, one `file:line:col: message` per line
//
// Every expect* takes (node, source, problems, ...), resolves aliases, appends a positioned problem
// when the node is wrong and returns undefined; otherwise it returns the plain value.

export { ConfigError, formatProblem, throwIfProblems } from "./config-error.ts";
export type { ConfigProblem } from "./config-error.ts";

export { addProblem, parseYamlText, positionOf, readYamlFile } from "./yaml-source.ts";
export type { Position, YamlSource } from "./yaml-source.ts";

export {
  describeNode,
  expectBoolean,
  expectInt,
  expectMap,
  expectNonEmptySeq,
  expectPort,
  expectPortList,
  expectSeq,
  expectString,
  expectStringList,
  requireKey,
  resolveNode,
} from "./yaml-validate.ts";
export type { YamlFields } from "./yaml-validate.ts";

export { normaliseHost } from "./normalise-host.ts";
export { compileHostPattern, HostPatternError } from "./host-pattern.ts";
export type { HostPattern } from "./host-pattern.ts";

export { compileUserPatterns } from "./user-patterns.ts";
export type { UserPatterns } from "./user-patterns.ts";

export { LruCache } from "./lru-cache.ts";

export { DEFAULT_RULE_CACHE_SIZE, describeRule, RuleSet } from "./rule-set.ts";
export type { Rule, RuleEntry, RuleExplanation, RuleMatch, RuleStep } from "./rule-set.ts";
export { loadRuleFile, parseRuleFile, parseRuleList, ruleSetFromYaml } from "./rule-file.ts";
export type { RuleFileOptions } from "./rule-file.ts";

export { formatCidr } from "./cidr.ts";
export type { Cidr } from "./cidr.ts";
export { ClientNetworks, parseCidr, parseClientNetworks } from "./client-networks.ts";
export { ALLOW_ENTRY_KEYS, AllowList, appliesTo, parseAllowList } from "./allow-list.ts";
export type { AllowEntry, PlainAllowEntry, ProxyProtocol } from "./allow-list.ts";
export { compileAddressRanges } from "./address-ranges.ts";
export type { AddressRanges } from "./address-ranges.ts";
export { parsePatternList } from "./pattern-list.ts";
