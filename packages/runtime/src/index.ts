// @tlsbridge/runtime: a running node (`tlsbridge ingress` and `tlsbridge peer`): serving in one
// process or under a supervisor of workers, reloads and file watching, the admin listener, metrics,
// the logger, signals; plus the exit codes and usage error every command shares. The only entry.
// v8-flags.ts first: importing this entry applies the V8 flags before anything else fills the heap.
export { collectYoungGeneration } from "./v8-flags.ts";
export { runNode } from "./run-node.ts";
export type { RunNodeOptions } from "./run-node.ts";
export { EXIT_CODES } from "./exit-codes.ts";
export type { ExitCode } from "./exit-codes.ts";
export { UsageError } from "./usage-error.ts";
export { programVersion } from "./version.ts";
export { createLogger, LOG_LEVEL_ENV } from "./logger.ts";
export type { LoggerOptions } from "./logger.ts";
