// The program's version is the root package.json's, read once so `--version` and the `startup`
// log line can never disagree with what was released.
import { readFileSync } from "node:fs";

let cached: string | undefined;

/** The `version` field of the repository's package.json. */
export function programVersion(): string {
  if (cached === undefined) {
    const text = readFileSync(new URL("../../../package.json", import.meta.url), "utf8");
    const parsed = JSON.parse(text) as { version?: unknown };
    cached = typeof parsed.version === "string" ? parsed.version : "0.0.0";
  }
  return cached;
}
