// The one place a logger is made: pino JSON lines on stdout (or pino-pretty for humans), level from
// `--log-level` or TLSBRIDGE_LOG_LEVEL. Libraries are handed this logger; they never make their own.
import pino from "pino";
import type { DestinationStream, Logger, LoggerOptions as LoggerOptionsOfPino } from "pino";
import prettyStream from "pino-pretty";
import { censorSecrets } from "./log-censor.ts";
import { UsageError } from "./usage-error.ts";

/** How the process's logger is made. */
export type LoggerOptions = {
  /** pino level name; undefined: TLSBRIDGE_LOG_LEVEL, then `info`. */
  readonly level?: string | undefined;
  /** Human-readable lines through pino-pretty instead of JSON. */
  readonly pretty?: boolean;
  /** `ingress` or `peer`, on every line. */
  readonly role: string;
  /** Where the lines go instead of stdout (tests). */
  readonly destination?: DestinationStream;
};

/** Environment variable naming the default log level. */
export const LOG_LEVEL_ENV = "TLSBRIDGE_LOG_LEVEL";

/** Every level name `--log-level` takes, lowest first. */
export function logLevelNames(): string[] {
  return [...Object.keys(pino.levels.values), "silent"];
}

/** Checks a level name; a bad one is a usage error (exit 2). */
export function resolveLogLevel(level: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = level ?? env[LOG_LEVEL_ENV] ?? "info";
  if (!Object.hasOwn(pino.levels.values, chosen) && chosen !== "silent") {
    const from = level === undefined ? `${LOG_LEVEL_ENV}=${chosen}` : `--log-level ${chosen}`;
    throw new UsageError(`${from}: expected one of ${logLevelNames().join(", ")}`);
  }
  return chosen;
}

/** The pino options of the process's logger: level, base fields, secrets censored, ISO time. */
function loggerOptions(options: LoggerOptions): LoggerOptionsOfPino {
  return {
    level: resolveLogLevel(options.level),
    base: { role: options.role, pid: process.pid },
    // A Proxy-Authorization value or a passphrase that some code logged by mistake is censored.
    formatters: { log: censorSecrets, bindings: censorSecrets },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

/** Creates the process's logger. */
export function createLogger(options: LoggerOptions): Logger {
  return censoringChildBindings(pino(loggerOptions(options), options.destination ?? lineDestination(options.pretty === true)));
}

/** stdout: JSON lines, or pino-pretty for humans. */
function lineDestination(pretty: boolean): DestinationStream {
  // Asynchronous writes: a log line costs the tunnel's event loop a buffer copy, not a blocking
  // write(2) (the profile showed 3-6% of a node's CPU in synchronous stdout writes). pino flushes
  // what is still buffered when the process exits.
  if (!pretty) return pino.destination({ dest: 1, sync: false });
  return prettyStream({
    sync: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,role,event",
    messageFormat: "{event}{if msg} {msg}{end}",
  });
}

/**
 * pino applies `formatters.bindings` to the root's bindings only; children (which inherit `child`
 * from the root) get theirs censored here.
 */
function censoringChildBindings(root: Logger): Logger {
  const makeChild = root.child;
  root.child = function child(this: Logger, bindings, childOptions) {
    return makeChild.call(this, censorSecrets(bindings), childOptions);
  } as Logger["child"];
  return root;
}
