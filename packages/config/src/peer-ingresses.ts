// The peer's optional `ingresses:` list: which ingress certificates (by DNS name or CN) the peer
// accepts, as anchored regexes compiled like rules. Absent: any certificate from the CA.
import { addProblem, compileHostPattern, expectSeq, expectString, HostPatternError, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, HostPattern, YamlSource } from "@tlsbridge/rules";

/** Parses `ingresses:`; undefined (with problems) when the list or a pattern is wrong. */
export function parsePeerIngresses(node: unknown, source: YamlSource, problems: ConfigProblem[]): HostPattern[] | undefined {
  const items = expectSeq(node, source, problems);
  if (items === undefined) return undefined;
  if (items.length === 0) {
    addProblem(resolveNode(node, source), source, problems,
      "an empty `ingresses` list would refuse every ingress; leave the key out to accept any certificate from the CA");
    return undefined;
  }
  const patterns: HostPattern[] = [];
  let ok = true;
  for (const item of items) {
    const at = resolveNode(item, source);
    const text = expectString(at, source, problems, { nonEmpty: true });
    if (text === undefined) {
      ok = false;
      continue;
    }
    try {
      patterns.push(compileHostPattern(text));
    } catch (err) {
      if (!(err instanceof HostPatternError)) throw err;
      addProblem(at, source, problems, err.message);
      ok = false;
    }
  }
  return ok ? patterns : undefined;
}
