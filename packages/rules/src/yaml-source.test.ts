// Positions are the point of YamlSource: syntax errors and node positions are checked to the column.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.ts";
import type { ConfigProblem } from "./config-error.ts";
import { addProblem, parseYamlText, positionOf, readYamlFile } from "./yaml-source.ts";

function problemsOf(fn: () => unknown): readonly ConfigProblem[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("parseYamlText", () => {
  it("keeps positions: positionOf gives 1-based line and column of a node", () => {
    const source = parseYamlText("a: 1\nlist:\n  - x\n  -   yy\n", "f.yaml");
    const list = source.doc.get("list", true) as { items: unknown[] };
    expect(positionOf(list.items[0], source)).toEqual({ line: 3, column: 5 });
    expect(positionOf(list.items[1], source)).toEqual({ line: 4, column: 7 });
    expect(positionOf(undefined, source)).toEqual({ line: 1, column: 1 });
  });

  it("reports every syntax error at its position in one ConfigError", () => {
    const problems = problemsOf(() => parseYamlText("a: 1\na: 2\nb: [1, 2\n", "bad.yaml"));
    expect(problems.map((p) => [p.file, p.line, p.column])).toEqual([
      ["bad.yaml", 2, 1],
      // yaml reports an unterminated flow sequence where the input ends.
      ["bad.yaml", 4, 1],
    ]);
    expect(problems[0]?.message).toBe("YAML: Map keys must be unique");
    expect(problems[1]?.message).toMatch(/^YAML: Flow sequence/);
  });

  it("rejects unknown tags and multiple documents", () => {
    expect(problemsOf(() => parseYamlText("a: !nope 1\n", "t.yaml"))[0]).toMatchObject({ line: 1, column: 4 });
    expect(problemsOf(() => parseYamlText("a: 1\n---\nb: 2\n", "m.yaml"))[0]?.message).toMatch(/multiple documents/);
  });

  it("addProblem records the node's position", () => {
    const source = parseYamlText("k:\n    v\n", "p.yaml");
    const problems: ConfigProblem[] = [];
    addProblem(source.doc.get("k", true), source, problems, "nope");
    expect(problems).toEqual([{ file: "p.yaml", line: 2, column: 5, message: "nope" }]);
  });
});

describe("readYamlFile", () => {
  it("reads and parses a file, naming it as given", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tlsb-rules-"));
    const path = join(dir, "x.yaml");
    await writeFile(path, "a: [1, 2]\n");
    const source = await readYamlFile(path);
    expect(source.file).toBe(path);
    expect(source.doc.toJS()).toEqual({ a: [1, 2] });
  });

  it("turns an unreadable file into a ConfigError at 1:1 with the cause", async () => {
    const err = await readYamlFile("/nonexistent/tlsb/x.yaml").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    expect(ce.problems).toHaveLength(1);
    expect(ce.message).toMatch(/^\/nonexistent\/tlsb\/x\.yaml:1:1: cannot read file: ENOENT/);
    expect((ce.cause as NodeJS.ErrnoException).code).toBe("ENOENT");
  });
});
