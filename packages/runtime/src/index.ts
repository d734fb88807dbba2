// @tlsbridge/runtime: a running node (`tlsbridge ingress` and `tlsbridge peer`): serving in one
// process or under a supervisor of workers, reloads and file watching, the admin listener, metrics,
// the logger, signals; plus the exit codes, usage error and version every command shares. The only
// entry of this package.
import "./v8-flags.ts"; // first: the V8 flags, before anything fills the heap
import type { ExitCode } from "./exit-codes.ts";
import type { RunNodeOptions } from "./run-node.ts";

export type { RunNodeOptions } from "./run-node.ts";
export { EXIT_CODES } from "./exit-codes.ts";
export type { ExitCode } from "./exit-codes.ts";
export { UsageError } from "./usage-error.ts";
export { programVersion } from "./version.ts";
export { createLogger, LOG_LEVEL_ENV, logLevelNames } from "./logger.ts";
export type { LoggerOptions } from "./logger.ts";

/**
 * Runs a node until it is stopped; resolves with the exit code (run-node.ts). Loaded on demand:
 * every command imports this entry, and only `ingress` and `peer` need sockets, TLS and metrics.
 */
export async function runNode(options: RunNodeOptions): Promise<ExitCode> {
  const { runNode: run } = await import("./run-node.ts");
  return run(options);
}
