// Compiles a rule's `match` regex with re2js, a linear-time engine: a rule file must not be able to
// stall the ingress. V8's backtracking engine took 23 s on a 29-character host against `(a+)+b`.
import { RE2JS, RE2JSException, RE2JSSyntaxException } from "re2js";
import { normaliseHost } from "./normalise-host.ts";

/** A compiled host regex; `matches` is true only when the whole normalised host matches. */
export type HostPattern = {
  /** The pattern as written in the rule file. */
  readonly source: string;
  /** Normalises `host` (see `normaliseHost`) and tests it against the implicitly anchored pattern. */
  matches(host: string): boolean;
};

/** A pattern that cannot be compiled; the message says why and is meant for a config problem. */
export class HostPatternError extends Error {
  readonly code = "TLSB_ERR_HOST_PATTERN";
  readonly pattern: string;

  constructor(pattern: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HostPatternError";
    this.pattern = pattern;
  }
}

/**
 * Compiles `source` as if written `^(?:source)$`, case-insensitive. The anchoring is done by asking
 * re2js for a full match rather than by pasting anchors around the text, so a pattern such as
 * `a)|(b` cannot escape them (ATS's tls_bridge anchored only the start: `.*[.]svc[.]example` there
 * also matched `x.svc.example.evil.test`). Throws `HostPatternError` for an empty or invalid pattern,
 * and for backreferences and lookaround, which a linear-time engine cannot support.
 */
export function compileHostPattern(source: string): HostPattern {
  if (source === "") throw new HostPatternError(source, "empty pattern; use '.*' to match every host");
  const re = compileWholeMatch(source, RE2JS.CASE_INSENSITIVE);
  return Object.freeze({
    source,
    matches: (host: string): boolean => re.testExact(normaliseHost(host)),
  });
}

/**
 * Compiles `source` with re2js for `testExact` (a whole-string match, so no anchors are pasted).
 * Throws `HostPatternError` saying what is wrong, in words fit for a config problem.
 */
export function compileWholeMatch(source: string, flags: number): RE2JS {
  try {
    return RE2JS.compile(source, flags);
  } catch (cause) {
    throw new HostPatternError(source, explainCompileError(cause), { cause });
  }
}

const UNSUPPORTED = "is not supported by the linear-time engine (re2js); rewrite the pattern without it";

function explainCompileError(err: unknown): string {
  if (err instanceof RE2JSSyntaxException) {
    const description = err.getDescription();
    // re2js reports the offending fragment, prefixed with "(?i)" when it is the whole pattern.
    const fragment = (err.getPattern() ?? "").replace(/^\(\?i\)/, "");
    if (/^\\([1-9]|k)/.test(fragment)) return `backreference \`${fragment.slice(0, 2)}\` ${UNSUPPORTED}`;
    if (fragment.startsWith("(?=") || fragment.startsWith("(?!")) return `lookahead \`${fragment.slice(0, 3)}\` ${UNSUPPORTED}`;
    if (fragment.startsWith("(?<=") || fragment.startsWith("(?<!")) {
      return `lookbehind \`${fragment.slice(0, 4)}\` ${UNSUPPORTED}`;
    }
    if (fragment.startsWith("(?>")) return `atomic group \`(?>\` ${UNSUPPORTED}`;
    return `invalid regular expression: ${description}: \`${fragment}\``;
  }
  if (err instanceof RE2JSException) return `invalid regular expression: ${err.message}`;
  return `invalid regular expression: ${String(err)}`;
}
