// ConfigError is what an operator reads: its code, order and line format are checked exactly.
import { describe, expect, it } from "vitest";
import { ConfigError, formatProblem, throwIfProblems } from "./config-error.ts";

describe("ConfigError", () => {
  it("has a stable code, the problems, and one file:line:col line per problem, sorted by position", () => {
    const err = new ConfigError([
      { file: "a.yaml", line: 9, column: 2, message: "late" },
      { file: "b.yaml", line: 1, column: 1, message: "other file" },
      { file: "a.yaml", line: 3, column: 7, message: "early" },
      { file: "a.yaml", line: 3, column: 5, message: "earliest" },
    ]);
    expect(err.code).toBe("TLSB_ERR_CONFIG");
    expect(err.name).toBe("ConfigError");
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe(
      ["a.yaml:3:5: earliest", "a.yaml:3:7: early", "a.yaml:9:2: late", "b.yaml:1:1: other file"].join("\n"),
    );
    expect(err.problems.map((p) => p.message)).toEqual(["earliest", "early", "late", "other file"]);
    expect(Object.isFrozen(err.problems)).toBe(true);
  });

  it("keeps the cause", () => {
    const cause = new Error("ENOENT");
    expect(new ConfigError([{ file: "f", line: 1, column: 1, message: "m" }], { cause }).cause).toBe(cause);
  });

  it("refuses to be built without problems", () => {
    expect(() => new ConfigError([])).toThrow(TypeError);
  });

  it("formatProblem and throwIfProblems", () => {
    expect(formatProblem({ file: "x.yaml", line: 2, column: 4, message: "bad" })).toBe("x.yaml:2:4: bad");
    expect(() => throwIfProblems([])).not.toThrow();
    expect(() => throwIfProblems([{ file: "x", line: 1, column: 2, message: "m" }])).toThrow("x:1:2: m");
  });
});
