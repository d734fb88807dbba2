// A test-only window into a running node's memory: with TLSBRIDGE_MEMORY_PROBE=1 in its
// environment, SIGUSR2 runs full garbage collections and logs `memory.probe` with
// `process.memoryUsage()`, so a test can tell live JS (a leak) from memory the allocator keeps
// (issue 9, "Memory comes back after a burst"). Off unless that variable is set: a full GC on
// demand is a pause anyone able to signal the process could cause.
import type { Logger } from "pino";
import { logEvent } from "@tlsbridge/transport";

/** The environment variable that turns the probe on (value `1`). */
export const MEMORY_PROBE_ENV = "TLSBRIDGE_MEMORY_PROBE";

/** Installs the SIGUSR2 probe when the environment asks for it; `collect` runs a full GC. */
export function installMemoryProbe(collect: () => void, log: Logger): void {
  if (process.env[MEMORY_PROBE_ENV] !== "1") return;
  process.on("SIGUSR2", () => {
    // The second collection, a turn of the loop later, frees what the first one's weak callbacks
    // and ArrayBuffer sweeps released.
    collect();
    setTimeout(() => {
      collect();
      const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
      logEvent(log, "info", "memory.probe", { rss, heapTotal, heapUsed, external, arrayBuffers }, "memory after a full collection");
    }, 20);
  });
}
