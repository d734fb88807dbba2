// The allocator settings the image ships (Dockerfile: LD_PRELOAD of jemalloc and its MALLOC_CONF),
// as an environment for nodes started by a test, so a test measures memory the way it is deployed.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../cli/run-tlsbridge.ts";

/** The environment for a node, or why there is none (the Dockerfile or the library lacks it). */
export type ShippedAllocator = { readonly env: NodeJS.ProcessEnv } | { readonly missing: string };

/** Reads `ENV <name>=<value>` from the Dockerfile; `undefined` when it sets none. */
export function dockerfileEnv(name: string): string | undefined {
  const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
  return new RegExp(`^ENV ${name}=(\\S+)$`, "m").exec(dockerfile)?.[1];
}

/** This host's libjemalloc.so.2 (Debian package libjemalloc2), if installed. */
function hostJemalloc(): string | undefined {
  try {
    const cache = execFileSync("/sbin/ldconfig", ["-p"], { encoding: "utf8" });
    return /libjemalloc\.so\.2 \([^)]*\) => (\S+)/.exec(cache)?.[1];
  } catch {
    return undefined;
  }
}

/** LD_PRELOAD of this host's jemalloc and the image's MALLOC_CONF, when both are there. */
export function shippedAllocator(): ShippedAllocator {
  const preload = dockerfileEnv("LD_PRELOAD");
  const conf = dockerfileEnv("MALLOC_CONF");
  if (preload === undefined || !preload.includes("jemalloc")) return { missing: "the Dockerfile preloads no jemalloc" };
  const library = hostJemalloc();
  if (library === undefined) return { missing: "libjemalloc.so.2 is not installed (Debian package libjemalloc2; .ci/run installs it)" };
  return { env: { LD_PRELOAD: library, ...(conf !== undefined ? { MALLOC_CONF: conf } : {}) } };
}
