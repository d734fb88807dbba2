// A parsed YAML file that remembers where every node came from, so validators can say
// `file:line:column` for any problem. Syntax errors become a ConfigError before validation starts.
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import type { Document } from "yaml";
import { ConfigError } from "./config-error.ts";
import type { ConfigProblem } from "./config-error.ts";

/** A parsed YAML document plus what is needed to turn node offsets into line and column. */
export type YamlSource = {
  /** The name used in problems (as given by the caller; the config loaders pass the path they resolved). */
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
};

/** A 1-based line and column. */
export type Position = { readonly line: number; readonly column: number };

/**
 * Parses YAML text; every syntax error (and warning, e.g. an unknown tag) becomes a problem at its
 * position and all of them are thrown as one `ConfigError`. One document per file.
 */
export function parseYamlText(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  for (const err of [...doc.errors, ...doc.warnings]) {
    const at = lineCounter.linePos(err.pos[0]);
    problems.push({ file, line: at.line, column: at.col, message: `YAML: ${err.message}` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { file, doc, lineCounter };
}

/** Reads and parses a YAML file; an unreadable file is a `ConfigError` at 1:1 with the fs error as `cause`. */
export async function readYamlFile(path: string, displayName: string = path): Promise<YamlSource> {
  let text: string;
  try {
    // Synchronously (issue 9): a config file is small, and under bulk traffic each async step of a
    // read (open, stat, read, close) waited a whole turn of the busy event loop, 150-300 ms each.
    text = readFileSync(path, "utf8");
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError([{ file: displayName, line: 1, column: 1, message: `cannot read file: ${reason}` }], {
      cause,
    });
  }
  return parseYamlText(text, displayName);
}

/** Where a node starts; 1:1 for anything without a range (e.g. an empty document). */
export function positionOf(node: unknown, source: YamlSource): Position {
  const range = (node as { range?: unknown } | null | undefined)?.range;
  if (Array.isArray(range) && typeof range[0] === "number") {
    const at = source.lineCounter.linePos(range[0]);
    return { line: at.line, column: at.col };
  }
  return { line: 1, column: 1 };
}

/** Records a problem at `node`'s position. */
export function addProblem(node: unknown, source: YamlSource, problems: ConfigProblem[], message: string, namedFile?: string): void {
  const at = positionOf(node, source);
  problems.push({ file: source.file, line: at.line, column: at.column, message, ...(namedFile === undefined ? {} : { namedFile }) });
}
