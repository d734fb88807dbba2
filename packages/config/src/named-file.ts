// Reads the file a config string names (relative to the config's directory), for every loader that
// follows a path out of a config (PEM files, rule files, the users file); an unreadable file is a problem at
// the config line that named it.
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import { addProblem, expectString, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import { displayPath } from "./display-path.ts";

/** A file a config named: absolute and displayed path, its bytes, and the node that named it. */
export type NamedFile = { readonly path: string; readonly file: string; readonly bytes: Buffer; readonly at: unknown };

/**
 * Reads the file the string `node` names, relative to `baseDir`; undefined with a problem
 * (`cannot read <kind> <file>: <reason>`) when it is not a non-empty string or cannot be read.
 * `missingHint(path)`, when given, may add to the problem of a file that does not exist what to run
 * to make it.
 */
export async function readNamedFile(
  node: unknown,
  baseDir: string,
  source: YamlSource,
  problems: ConfigProblem[],
  kind?: string,
  missingHint?: (path: string) => string | undefined,
): Promise<NamedFile | undefined> {
  const at = resolveNode(node, source);
  const name = expectString(at, source, problems, { nonEmpty: true });
  if (name === undefined) return undefined;
  const path = resolve(baseDir, name);
  const file = displayPath(path);
  try {
    // Read synchronously (issue 9): a config's files are small and local, and under bulk traffic
    // every async step of a read waited for one turn of an event loop busy with tunnels (~150-300 ms each).
    return { path, file, bytes: readFileSync(path), at };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === "ENOENT" ? missingHint?.(path) : undefined;
    const reason = code === "ENOENT" ? `no such file${hint === undefined ? "" : `; ${hint}`}`
      : code === "EACCES" ? `permission denied to ${whoAmI()}` : String(err);
    addProblem(at, source, problems, `cannot read ${kind === undefined ? "" : `${kind} `}${file}: ${reason}`, path);
    return undefined;
  }
}

/** The user this process reads as (after a privilege drop, the config's `user:`), for EACCES messages. */
function whoAmI(): string {
  try {
    return `user ${userInfo().username}`;
  } catch {
    return `uid ${process.getuid?.() ?? "?"}`;
  }
}
