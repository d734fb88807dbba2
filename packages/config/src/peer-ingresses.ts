// The peer's optional `ingresses:` list: which ingress certificates (by DNS name, URI or CN) the peer
// accepts, as anchored regexes compiled like rules. Absent: any certificate from the CA.
import { parsePatternList } from "@tlsbridge/rules";
import type { ConfigProblem, HostPattern, YamlSource } from "@tlsbridge/rules";

/** Parses `ingresses:`; undefined (with problems) when the list or a pattern is wrong. */
export function parsePeerIngresses(node: unknown, source: YamlSource, problems: ConfigProblem[]): HostPattern[] | undefined {
  return parsePatternList(node, source, problems,
    "an empty `ingresses` list would refuse every ingress; leave the key out to accept any certificate from the CA");
}
