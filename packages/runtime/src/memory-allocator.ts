// Which malloc this process runs on, for the `startup` log line: glibc's keeps the memory a burst
// of tunnels freed (issue 9: ~110 MiB per node after 1000 tunnels, never returned), jemalloc
// (preloaded by the image, docs/operations.md "Memory") gives it back within seconds.
import { readFileSync } from "node:fs";

/** `jemalloc` when it is mapped into this process (LD_PRELOAD), else `system`. */
export function memoryAllocator(): "jemalloc" | "system" {
  try {
    return readFileSync("/proc/self/maps", "utf8").includes("libjemalloc") ? "jemalloc" : "system";
  } catch {
    return "system"; // not Linux: no /proc
  }
}
