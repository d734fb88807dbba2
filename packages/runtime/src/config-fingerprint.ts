// What a config was built from, as file contents (issue 9: one edit made two reloads, SIGHUP and the
// file watcher). A reload compares the files the last one read with what they hold now: nothing
// changed means that change was already applied, so the reload is skipped.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** Absolute path -> digest of its bytes, or "absent" (missing or unreadable). */
export type ConfigFingerprint = ReadonlyMap<string, string>;

/** Reads every file (synchronously: they are small and local, see named-file.ts) and digests it. */
export function fingerprintFiles(paths: Iterable<string>): ConfigFingerprint {
  const out = new Map<string, string>();
  for (const path of paths) {
    let digest: string;
    try {
      digest = createHash("sha256").update(readFileSync(path)).digest("base64");
    } catch {
      digest = "absent";
    }
    out.set(path, digest);
  }
  return out;
}

/** True when both name the same files with the same contents. */
export function sameFingerprint(a: ConfigFingerprint, b: ConfigFingerprint): boolean {
  if (a.size !== b.size) return false;
  for (const [path, digest] of a) if (b.get(path) !== digest) return false;
  return true;
}
