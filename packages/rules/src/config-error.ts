// The one error a bad config or rule file produces: every problem found, each with file:line:column,
// so an operator fixes the whole file in one pass instead of one complaint per restart.

/** One thing wrong in a config file; `line` and `column` are 1-based. */
export type ConfigProblem = {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /**
   * Absolute path of the file the problem is about when the config names one it could not read or
   * use (a missing users file, rule file or certificate): a rejected reload watches it, so creating
   * the file reloads.
   */
  readonly namedFile?: string;
};

/** Formats a problem the way compilers do: `file:line:column: message`. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

/**
 * Thrown once per load with every problem found, sorted by file (in order of first appearance),
 * then line and column. The message holds one `file:line:col: message` per line. Match on `code`.
 */
export class ConfigError extends Error {
  readonly code = "TLSB_ERR_CONFIG";
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    if (problems.length === 0) throw new TypeError("ConfigError needs at least one problem");
    const sorted = sortProblems(problems);
    super(sorted.map(formatProblem).join("\n"), options);
    this.name = "ConfigError";
    this.problems = Object.freeze(sorted.map((p) => Object.freeze({ ...p })));
  }
}

/** Throws one `ConfigError` if anything was collected; the usual last step of a validator. */
export function throwIfProblems(problems: readonly ConfigProblem[]): void {
  if (problems.length > 0) throw new ConfigError(problems);
}

function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const fileOrder = new Map<string, number>();
  for (const p of problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
  // Array.prototype.sort is stable, so problems at the same position keep the order they were found in.
  return [...problems].sort(
    (a, b) =>
      (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) || a.line - b.line || a.column - b.column,
  );
}
