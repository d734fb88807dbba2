// A YAML list of anchored name patterns (the peer's `ingresses:`, top-level or on an allow entry),
// each compiled like a rule's `match`; an empty list is refused with a message saying what to write.
import type { ConfigProblem } from "./config-error.ts";
import { compileHostPattern, HostPatternError } from "./host-pattern.ts";
import type { HostPattern } from "./host-pattern.ts";
import { addProblem } from "./yaml-source.ts";
import type { YamlSource } from "./yaml-source.ts";
import { expectNonEmptySeq, expectString, resolveNode } from "./yaml-validate.ts";

/** Parses a non-empty list of patterns; undefined (with problems) when the list or a pattern is wrong. */
export function parsePatternList(
  node: unknown,
  source: YamlSource,
  problems: ConfigProblem[],
  whyNotEmpty: string,
): HostPattern[] | undefined {
  const items = expectNonEmptySeq(node, source, problems, whyNotEmpty);
  if (items === undefined) return undefined;
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
