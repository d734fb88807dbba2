// The ingress's optional `peerGroups:` mapping: group name -> list of peer names. A rule may name a
// group instead of a peer; the ingress then tries the members in turn (peer-choice.ts in the
// ingress). Groups and peers share one namespace, so a rule's `peer:` is never ambiguous.
import { isMap, isScalar } from "yaml";
import { addProblem, describeNode, expectSeq, expectString, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import { PEER_NAME } from "./ingress-peers.ts";

/**
 * Parses `peerGroups:`; `peerNames` undefined (the peers section is broken) skips the member check.
 * Returns the groups that parsed, and the name of every group (also those with problems in their
 * members), so rules naming a group are not reported again.
 */
export function parsePeerGroups(
  node: unknown,
  peerNames: ReadonlySet<string> | undefined,
  source: YamlSource,
  problems: ConfigProblem[],
): { readonly groups: Map<string, readonly string[]>; readonly names: ReadonlySet<string> } {
  const groups = new Map<string, readonly string[]>();
  const names = new Set<string>();
  const map = resolveNode(node, source);
  if (!isMap(map)) {
    addProblem(map, source, problems, `expected a mapping of group names to lists of peer names, got ${describeNode(map)}`);
    return { groups, names };
  }
  for (const pair of map.items) {
    const key = resolveNode(pair.key, source);
    if (!isScalar(key) || typeof key.value !== "string" || !PEER_NAME.test(key.value)) {
      addProblem(key ?? map, source, problems, `expected a group name (letters, digits, '.', '_', '-'), got ${describeNode(key)}`);
      continue;
    }
    const name = key.value;
    if (peerNames?.has(name) === true) {
      addProblem(key, source, problems, `'${name}' is already a peer name; a group needs a name of its own`);
      continue;
    }
    names.add(name);
    const items = expectSeq(pair.value, source, problems);
    if (items === undefined) continue;
    if (items.length === 0) {
      addProblem(resolveNode(pair.value, source), source, problems, `peer group '${name}' is empty; list at least one peer`);
      continue;
    }
    const members: string[] = [];
    for (const item of items) {
      const member = expectString(item, source, problems, { nonEmpty: true });
      if (member === undefined) continue;
      if (peerNames !== undefined && !peerNames.has(member)) {
        addProblem(item, source, problems, `unknown peer '${member}'; expected one of ${[...peerNames].join(", ")}`);
      } else if (members.includes(member)) {
        addProblem(item, source, problems, `peer '${member}' is listed twice in group '${name}'`);
      } else {
        members.push(member);
      }
    }
    if (members.length === items.length) groups.set(name, members);
  }
  return { groups, names };
}
