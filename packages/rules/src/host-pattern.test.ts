// Anchoring, case, rejected constructs and linear time: the properties that make rules safe to evaluate.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileHostPattern, HostPatternError } from "./host-pattern.ts";
import { normaliseHost } from "./normalise-host.ts";

function compileError(source: string): HostPatternError {
  try {
    compileHostPattern(source);
  } catch (err) {
    if (err instanceof HostPatternError) return err;
    throw err;
  }
  throw new Error(`expected '${source}' to be rejected`);
}

describe("compileHostPattern", () => {
  it("is anchored at both ends (ATS tls_bridge anchored only the start)", () => {
    const p = compileHostPattern(".*[.]svc[.]example");
    expect(p.matches("x.svc.example")).toBe(true);
    expect(p.matches("x.svc.example.evil.test")).toBe(false);
    expect(p.matches("evil.test.x.svc.example")).toBe(true);
    expect(p.matches("svc.example")).toBe(false);
    expect(compileHostPattern("svc").matches("svc.example")).toBe(false);
    expect(compileHostPattern("svc").matches("my-svc")).toBe(false);
  });

  it("anchors alternations as a whole, so `a|b` cannot match 'a-suffix'", () => {
    const p = compileHostPattern("a[.]example|b[.]example");
    expect(p.matches("a.example")).toBe(true);
    expect(p.matches("b.example")).toBe(true);
    expect(p.matches("a.example.evil")).toBe(false);
    expect(p.matches("evil.b.example")).toBe(false);
  });

  it("cannot be escaped with unbalanced parentheses", () => {
    expect(compileError("a)|(b").message).toBe("invalid regular expression: unexpected ): `a)|(b`");
  });

  it("matches case-insensitively and normalises a trailing dot", () => {
    const p = compileHostPattern("DB[0-9]+[.]Internal");
    expect(p.matches("db12.internal")).toBe(true);
    expect(p.matches("DB12.INTERNAL.")).toBe(true);
    expect(p.matches("db.internal")).toBe(false);
    expect(p.source).toBe("DB[0-9]+[.]Internal");
  });

  it("rejects empty, invalid and non-linear patterns with clear reasons", () => {
    expect(compileError("").message).toBe("empty pattern; use '.*' to match every host");
    expect(compileError("[a-").message).toBe("invalid regular expression: missing closing ]: `[a-`");
    expect(compileError("*").message).toBe("invalid regular expression: missing argument to repetition operator: `*`");
    const unsupported = "is not supported by the linear-time engine (re2js); rewrite the pattern without it";
    expect(compileError("(a)\\1").message).toBe(`backreference \`\\1\` ${unsupported}`);
    expect(compileError("(?=a)a").message).toBe(`lookahead \`(?=\` ${unsupported}`);
    expect(compileError("x(?!a)").message).toBe(`lookahead \`(?!\` ${unsupported}`);
    expect(compileError("(?<=a)b").message).toBe(`lookbehind \`(?<=\` ${unsupported}`);
    expect(compileError("(?<!a)b").message).toBe(`lookbehind \`(?<!\` ${unsupported}`);
    const err = compileError("(a)\\1");
    expect(err.code).toBe("TLSB_ERR_HOST_PATTERN");
    expect(err.pattern).toBe("(a)\\1");
  });

  it("matches a pathological pattern in linear time", () => {
    // V8's backtracking engine needed 23 s for one 29-character host against `(a+)+b`: every way of
    // splitting the a's between the two `+` is tried before failing. re2js simulates the automaton
    // once over the input, so the cost is linear in the host length whatever the pattern.
    const p = compileHostPattern("(a+)+b");
    const host = "a".repeat(40);
    expect(p.matches(host)).toBe(false);
    expect(p.matches(`${host}b`)).toBe(true);
    // Asserted against a baseline measured in the same run, not against a fixed number of ms (that
    // failed on a loaded machine): the pathological pattern must cost about what the tame `a+b`
    // costs on the same host. Backtracking would make the ratio ~2^40; a ratio under 20 leaves room
    // for noise. Each side takes its fastest of several interleaved rounds, since load only adds time.
    const tame = compileHostPattern("a+b");
    const fastest = (pattern: typeof p): number => {
      const start = performance.now();
      for (let i = 0; i < 200; i++) pattern.matches(host);
      return performance.now() - start;
    };
    let pathologicalMs = Infinity;
    let tameMs = Infinity;
    for (let round = 0; round < 7; round++) {
      pathologicalMs = Math.min(pathologicalMs, fastest(p));
      tameMs = Math.min(tameMs, fastest(tame));
    }
    expect(pathologicalMs).toBeLessThan(Math.max(tameMs, 0.5) * 20);
  });

  it("agrees with V8's ^(?:re)$ (flag i) on the normalised host for simple patterns (property)", () => {
    // Patterns built only from constructs where both engines have the same semantics and V8 cannot
    // blow up on short inputs.
    const atom = fc.constantFrom("a", "b", "[.]", "[ab]", ".", "(a|b)", "-");
    const quant = fc.constantFrom("", "*", "+", "?");
    const pattern = fc
      .array(fc.tuple(atom, quant), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.map(([a, q]) => a + q).join(""));
    const alt = fc.tuple(pattern, fc.option(pattern, { nil: undefined })).map(([x, y]) => (y === undefined ? x : `${x}|${y}`));
    const host = fc.stringMatching(/^[abAB.-]{0,8}$/);
    fc.assert(
      fc.property(alt, host, (source, h) => {
        const expected = new RegExp(`^(?:${source})$`, "i").test(normaliseHost(h));
        expect(compileHostPattern(source).matches(h)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("anything it matches equals the whole host: a match with a suffix or prefix added needs the pattern to allow it (property)", () => {
    // For a literal pattern (quoted), the only host it matches is the literal itself.
    const label = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
    const name = fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join("."));
    fc.assert(
      fc.property(name, label, (literal, extra) => {
        const p = compileHostPattern(literal.replaceAll(".", "[.]"));
        expect(p.matches(literal)).toBe(true);
        expect(p.matches(`${literal}.${extra}`)).toBe(false);
        expect(p.matches(`${extra}.${literal}`)).toBe(false);
        expect(p.matches(`${literal}${extra}`)).toBe(false);
      }),
    );
  });
});
