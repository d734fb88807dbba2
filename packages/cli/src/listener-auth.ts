// An ingress listener's `auth: { users: FILE }`: proxy authentication for that listener, with the
// users file read and checked at load (and at every reload: the file is watched like the others).
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { addProblem, expectMap, expectString, requireKey, resolveNode } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import type { ProxyAuthUsers } from "@tlsbridge/ingress";
import { displayPath } from "./display-path.ts";
import { parseUsersText } from "./users-file.ts";

/** A parsed `auth:`: the users, and the file they came from. */
export type ListenerAuth = {
  readonly users: ProxyAuthUsers;
  /** Displayed path, for `check`. */
  readonly file: string;
  /** Absolute path, for the reload watcher. */
  readonly path: string;
};

/** Parses a listener's `auth:` mapping; undefined (with problems) when anything is wrong. */
export async function parseListenerAuth(
  node: unknown,
  baseDir: string,
  source: YamlSource,
  problems: ConfigProblem[],
): Promise<ListenerAuth | undefined> {
  const fields = expectMap(node, source, problems, ["users"]);
  if (fields === undefined) return undefined;
  const usersNode = requireKey(fields, "users", source, problems);
  if (!fields.values.has("users")) return undefined;
  const at = resolveNode(usersNode, source);
  const name = expectString(at, source, problems, { nonEmpty: true });
  if (name === undefined) return undefined;
  const path = resolve(baseDir, name);
  const file = displayPath(path);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(err);
    addProblem(at, source, problems, `cannot read users file ${file}: ${reason}`);
    return undefined;
  }
  const before = problems.length;
  const users = parseUsersText(text, file, problems);
  return problems.length > before ? undefined : { users, file, path };
}
