// The program's version is the root package.json's, read once so `--version` and the `startup`
// log line can never disagree with what was released. The single executable (scripts/build-sea.ts)
// carries that package.json as an embedded asset.
import { readFileSync } from "node:fs";
import sea from "node:sea";

let cached: string | undefined;

/** The `version` field of the repository's package.json. */
export function programVersion(): string {
  if (cached === undefined) {
    const text = sea.isSea() ? sea.getAsset("package.json", "utf8") : readFileSync(new URL("../../../package.json", import.meta.url), "utf8");
    const parsed = JSON.parse(text) as { version?: unknown };
    cached = typeof parsed.version === "string" ? parsed.version : "0.0.0";
  }
  return cached;
}
