// Paths in messages: relative to the working directory when the file is under it (what the user
// typed), absolute otherwise, so `file:line:col` is clickable and short.
import { isAbsolute, relative } from "node:path";

/** `path` (absolute) as shown in problems and output. */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
