// What changes when an ATS tls_bridge regex becomes a tlsbridge rule. ATS compiled each destination
// with PCRE_ANCHORED, which anchors only the start, and matched case-sensitively; a tlsbridge rule
// matches the whole host (`^(?:re)$`) in any case. So `.*[.]example[.]com` in ATS also sent
// `x.example.com.evil.test` to the peer. Each note is checked against the real matcher before it is
// shown, so an example host here is one that really behaves as described.
import { compileHostPattern } from "@tlsbridge/rules";

/** The notes for one imported pattern. */
export type PatternNotes = {
  /** What the anchoring change means for this pattern, and how to keep ATS's behaviour. */
  readonly anchoring: string | undefined;
  /** What matching in any case adds, for a pattern with letters. */
  readonly caseFolding: string | undefined;
  /** Hints that apply in ATS as much as here (an unescaped `.`). */
  readonly hints: string[];
};

/** Notes for `pattern`, which must compile (see `compileHostPattern`). */
export function notesFor(pattern: string): PatternNotes {
  const compiled = compileHostPattern(pattern);
  const sample = sampleHost(pattern, compiled.matches);
  return {
    anchoring: anchoringNote(pattern, sample, compiled.matches),
    caseFolding: caseNote(pattern, sample),
    hints: unescapedDots(pattern) > 0
      ? ["'.' outside brackets matches any character (in ATS too); for a literal dot write '[.]'"]
      : [],
  };
}

/** The pattern that keeps ATS's start-only anchoring: the pattern followed by anything. */
export function keepAtsAnchoring(pattern: string): string {
  return topLevelAlternation(pattern) ? `(?:${pattern}).*` : `${pattern}.*`;
}

function anchoringNote(pattern: string, sample: string | undefined, matches: (h: string) => boolean): string | undefined {
  if (endsOpen(pattern)) return undefined; // `....*` or `...$`: same hosts as in ATS
  const keep = keepAtsAnchoring(pattern);
  if (sample !== undefined) {
    const widened = `${sample}.evil.test`;
    // A prefix match in ATS (the sample matches whole, so it matches the start), not a match here.
    if (!matches(widened)) {
      return `ATS also matched hosts that only start with a match, e.g. ${widened}; now only the whole host matches. To keep ATS's behaviour write '${keep}'`;
    }
  }
  return `ATS also matched hosts that only start with a match (a match followed by anything); now only the whole host matches. To keep ATS's behaviour write '${keep}'`;
}

function caseNote(pattern: string, sample: string | undefined): string | undefined {
  const letters = stripEscapes(pattern).replace(/\[[^\]]*\]/g, "");
  if (!/[A-Za-z]/.test(letters)) return undefined;
  if (/[A-Z]/.test(letters)) {
    return "has upper-case letters: in ATS it matched only hosts written with them in upper case; now it matches in any case";
  }
  const example = sample === undefined ? "" : `, e.g. ${sample.toUpperCase()}`;
  return `now also matches the same host in other cases${example} (ATS was case-sensitive; host names are not, RFC 4343)`;
}

/** True when ATS's start-only anchoring and ours agree: the pattern ends in `.*` or `$` at the top level. */
function endsOpen(pattern: string): boolean {
  if (topLevelAlternation(pattern)) return false;
  const escaped = (at: number): boolean => {
    let n = 0;
    for (let i = at - 1; i >= 0 && pattern[i] === "\\"; i--) n++;
    return n % 2 === 1;
  };
  if (pattern.endsWith(".*") && !escaped(pattern.length - 2)) return true;
  return pattern.endsWith("$") && !escaped(pattern.length - 1);
}

/**
 * The characters of `pattern` that are regex syntax: outside escapes (`\x` is skipped whole) and
 * outside bracket classes (`[...]`), each with its index and the group depth it stands at.
 */
function* syntaxChars(pattern: string): Generator<{ readonly c: string; readonly i: number; readonly depth: number }> {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else {
      if (c === "(") depth++;
      else if (c === ")") depth--;
      yield { c, i, depth };
    }
  }
}

function topLevelAlternation(pattern: string): boolean {
  for (const { c, depth } of syntaxChars(pattern)) if (c === "|" && depth === 0) return true;
  return false;
}

function stripEscapes(pattern: string): string {
  return pattern.replace(/\\./g, "");
}

/** Counts `.` outside brackets and escapes that are not followed by a quantifier (`.*`, `.+` are meant). */
function unescapedDots(pattern: string): number {
  let n = 0;
  for (const { c, i } of syntaxChars(pattern)) if (c === "." && !/[*+?{]/.test(pattern[i + 1] ?? "")) n++;
  return n;
}

/**
 * A host the pattern matches, built from the simple shapes rule files use (`.*`, `[.]`, `\.`,
 * literals, `[0-9]+`, `\d`); undefined for anything else (groups, alternation) or when the result,
 * checked with the real matcher, does not match.
 */
export function sampleHost(pattern: string, matches: (host: string) => boolean): string | undefined {
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    let atom: string | undefined;
    if (c === "\\") {
      const e = pattern[i + 1] ?? "";
      atom = e === "d" ? "1" : e === "w" ? "a" : /[A-Za-z0-9]/.test(e) ? undefined : e;
      i += 2;
    } else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) return undefined;
      const body = pattern.slice(i + 1, end);
      atom = body.startsWith("^") ? undefined : classSample(body);
      i = end + 1;
    } else if (c === ".") {
      atom = "."; // an unescaped lone dot is nearly always meant as one
      i++;
    } else if (/[A-Za-z0-9_-]/.test(c)) {
      atom = c;
      i++;
    } else {
      return undefined; // groups, alternation, anchors: not worth guessing
    }
    if (atom === undefined) return undefined;
    const q = pattern[i];
    if (q === "*" || q === "+") {
      // `.*` at the start of a host pattern is usually "any subdomain": show one.
      out += c === "." ? "www" : atom;
      i++;
    } else if (q === "?") {
      out += atom;
      i++;
    } else if (q === "{") {
      const m = /^\{(\d+)(,\d*)?\}/.exec(pattern.slice(i));
      if (m === null) return undefined;
      out += atom.repeat(Math.max(1, Number(m[1])));
      i += m[0].length;
    } else {
      out += atom;
    }
  }
  out = out.replace(/^\.+/, "").replace(/\.{2,}/g, ".");
  return out !== "" && matches(out) ? out : undefined;
}

function classSample(body: string): string | undefined {
  const range = /^([A-Za-z0-9])-[A-Za-z0-9]/.exec(body);
  if (range !== null) return range[1];
  const first = body.replace(/^\\/, "")[0];
  return first === undefined || !/[A-Za-z0-9._-]/.test(first) ? undefined : first;
}
