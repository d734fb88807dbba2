// The `match` + `ports` pair shared by rule entries and allow-list entries, validated in one place
// so both report the same problems the same way.
import type { ConfigProblem } from "./config-error.ts";
import { compileHostPattern, HostPatternError } from "./host-pattern.ts";
import type { HostPattern } from "./host-pattern.ts";
import { addProblem } from "./yaml-source.ts";
import type { YamlSource } from "./yaml-source.ts";
import { expectPortList, expectString, requireKey, resolveNode } from "./yaml-validate.ts";
import type { YamlFields } from "./yaml-validate.ts";

/** A validated, compiled `match` and its optional `ports`. */
export type MatchFields = {
  readonly match: string;
  readonly pattern: HostPattern;
  readonly ports: readonly number[] | undefined;
};

/** Reads `match` (required, non-empty, compiled) and `ports` (optional); undefined if either is wrong. */
export function parseMatchFields(
  fields: YamlFields,
  source: YamlSource,
  problems: ConfigProblem[],
): MatchFields | undefined {
  const matchNode = requireKey(fields, "match", source, problems);
  let match: string | undefined;
  let pattern: HostPattern | undefined;
  if (fields.values.has("match")) {
    // No `nonEmpty` here: compileHostPattern's message for '' says what to write instead.
    match = expectString(matchNode, source, problems);
    if (match !== undefined) {
      try {
        pattern = compileHostPattern(match);
      } catch (err) {
        if (!(err instanceof HostPatternError)) throw err;
        addProblem(resolveNode(matchNode, source), source, problems, err.message);
      }
    }
  }
  let ports: number[] | undefined;
  let portsOk = true;
  if (fields.values.has("ports")) {
    ports = expectPortList(fields.values.get("ports"), source, problems);
    portsOk = ports !== undefined;
  }
  if (match === undefined || pattern === undefined || !portsOk) return undefined;
  return { match, pattern, ports: ports === undefined ? undefined : Object.freeze(ports) };
}

/** Whether `port` passes a `ports` constraint (undefined means any port). */
export function portAllowed(ports: readonly number[] | undefined, port: number): boolean {
  return ports === undefined || ports.includes(port);
}
