// The one place a logger is made: pino JSON lines on stdout (or pino-pretty for humans), level from
// `--log-level` or TLSBRIDGE_LOG_LEVEL. Libraries are handed this logger; they never make their own.
import pino from "pino";
import type { Logger } from "pino";
import pretty from "pino-pretty";
import { UsageError } from "./usage-error.ts";

/** How the cli's logger is made. */
export type LoggerOptions = {
  /** pino level name; undefined: TLSBRIDGE_LOG_LEVEL, then `info`. */
  readonly level?: string | undefined;
  /** Human-readable lines through pino-pretty instead of JSON. */
  readonly pretty?: boolean;
  /** `ingress` or `peer`, on every line. */
  readonly role: string;
};

/** Environment variable naming the default log level. */
export const LOG_LEVEL_ENV = "TLSBRIDGE_LOG_LEVEL";

/**
 * Where a `Proxy-Authorization` value could end up if some code logged headers whole: censored
 * defensively, on top of the rule that nobody logs it on purpose.
 */
export const REDACT_PATHS: readonly string[] = [
  'headers["proxy-authorization"]',
  'headers["Proxy-Authorization"]',
  '*.headers["proxy-authorization"]',
  '*.headers["Proxy-Authorization"]',
  "proxyAuthorization",
  "*.proxyAuthorization",
  "passphrase",
  "*.passphrase",
];

/** Checks a level name; a bad one is a usage error (exit 2). */
export function resolveLogLevel(level: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = level ?? env[LOG_LEVEL_ENV] ?? "info";
  if (!Object.hasOwn(pino.levels.values, chosen) && chosen !== "silent") {
    const from = level === undefined ? `${LOG_LEVEL_ENV}=${chosen}` : `--log-level ${chosen}`;
    throw new UsageError(`${from}: expected one of ${[...Object.keys(pino.levels.values), "silent"].join(", ")}`);
  }
  return chosen;
}

/** Creates the process's logger. */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: resolveLogLevel(options.level),
    base: { role: options.role, pid: process.pid },
    redact: { paths: [...REDACT_PATHS], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Asynchronous writes: a log line costs the tunnel's event loop a buffer copy, not a blocking
  // write(2) (the profile showed 3-6% of a node's CPU in synchronous stdout writes). pino flushes
  // what is still buffered when the process exits.
  if (options.pretty !== true) return pino(settings, pino.destination({ dest: 1, sync: false }));
  return pino(
    settings,
    pretty({
      sync: true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname,role,event",
      messageFormat: "{event}{if msg} {msg}{end}",
    }),
  );
}
