// An ingress listener's `auth: { users: FILE }`: proxy authentication for that listener, with the
// users file read and checked at load (and at every reload: the file is watched like the others).
import { expectMap, requireKey } from "@tlsbridge/rules";
import type { ConfigProblem, YamlSource } from "@tlsbridge/rules";
import type { ProxyAuthUsers } from "@tlsbridge/ingress";
import { readNamedFile } from "./named-file.ts";
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
  const read = await readNamedFile(usersNode, baseDir, source, problems, "users file");
  if (read === undefined) return undefined;
  const { file, path } = read;
  const text = read.bytes.toString("utf8");
  const before = problems.length;
  const users = parseUsersText(text, file, problems);
  return problems.length > before ? undefined : { users, file, path };
}
