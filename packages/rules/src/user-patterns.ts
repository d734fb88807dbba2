// A rule's `users:` (issue 14): which proxy users may take it, as anchored regexes on the linear-time
// engine, like hosts, but case-sensitive (user names in the users file are) and not normalised.
import { compileWholeMatch, HostPatternError } from "./host-pattern.ts";

/** Compiled `users:` patterns: a user passes when any one matches the whole name. */
export type UserPatterns = {
  /** The patterns as written. */
  readonly sources: readonly string[];
  matches(user: string): boolean;
};

/** Compiles each pattern as `^(?:p)$`; throws HostPatternError (it names the pattern) for a bad one. */
export function compileUserPatterns(sources: readonly string[]): UserPatterns {
  const compiled = sources.map((source) => {
    if (source === "") throw new HostPatternError(source, "empty user pattern; list user names or patterns such as 'ops-.*'");
    return compileWholeMatch(source, 0);
  });
  return Object.freeze({
    sources: Object.freeze([...sources]),
    matches: (user: string): boolean => compiled.some((re) => re.testExact(user)),
  });
}
