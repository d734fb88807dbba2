// SIGTERM or SIGINT closes the node gracefully: readiness turns 503 at once, the listeners stay open
// for the drain delay (load balancers stop sending first), then tunnels get the grace period; a second
// signal means "now": the process exits at once with 1. After the drain the process exits itself
// (exit-process.ts), and a hard deadline just past the grace period ends it whatever still runs
// (issue 9: a node that logged `shutdown` and never exited).
import type { Logger } from "pino";
import { logEvent } from "@tlsbridge/transport";
import { EXIT_CODES } from "./exit-codes.ts";
import type { ExitCode } from "./exit-codes.ts";
import { exitOnceFlushed } from "./exit-process.ts";

const SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/**
 * How long after the grace period a process that has not stopped is ended anyway: the drain cuts the
 * tunnels at the grace period and then waits for their `tunnel.close` lines, which on a loop busy
 * with bulk traffic takes a few turns (100-300 ms each).
 */
export const HARD_EXIT_AFTER_GRACE_MS = 1_000;
/** How long the last log lines may take to be written before the process ends without them. */
const FLUSH_WAIT_MS = 300;

/** What a supervisor adds to the shutdown. */
export type CloseOnSignalOptions = {
  /** After the grace period, added to {@link HARD_EXIT_AFTER_GRACE_MS} (a supervisor waits for its workers' own deadline). */
  readonly extraHardExitMs?: number;
  /** Runs right before a forced exit (a supervisor kills the workers still running). */
  readonly onForcedExit?: () => void;
  /** How long to wait after the signal before `close` (`drainDelayMs`; 0 by default). */
  readonly drainDelayMs?: number;
  /** Runs as soon as the signal arrives, before the drain delay (readiness turns 503). */
  readonly onStopping?: () => void;
};

/**
 * Once a signal arrived, runs `onStopping`, waits the drain delay, runs `close(graceMs)` and then exits
 * the process with 0 (or 1 when close failed) after the `shutdown` line is written. If close has not
 * finished `HARD_EXIT_AFTER_GRACE_MS` after the drain delay and the grace period, the process exits
 * with 1 anyway. The handlers stay installed, so a signal
 * during the drain exits immediately. Worker processes pass `["SIGTERM"]`: their supervisor turns a
 * Ctrl-C (SIGINT to the whole process group) into SIGTERM. The promise never resolves in practice:
 * it is the process that ends.
 */
export function closeOnSignal(
  close: (graceMs: number) => Promise<void>,
  graceMs: number,
  log: Logger,
  signals: readonly NodeJS.Signals[] = SIGNALS,
  options: CloseOnSignalOptions = {},
): Promise<ExitCode> {
  return new Promise(() => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logEvent(log, "warn", "signal", { signal, immediate: true }, "second signal: exiting without waiting");
        options.onForcedExit?.();
        exitOnceFlushed(log, EXIT_CODES.runtime, FLUSH_WAIT_MS);
        return;
      }
      stopping = true;
      const started = performance.now();
      const drainDelayMs = options.drainDelayMs ?? 0;
      logEvent(log, "info", "signal", { signal, graceMs, drainDelayMs }, "closing; send the signal again to exit at once");
      options.onStopping?.();
      setTimeout(() => {
        logEvent(log, "warn", "shutdown", { forced: true, durationMs: Math.round(performance.now() - started),
          handles: process.getActiveResourcesInfo(),
        }, "still not stopped after the grace period: exiting anyway");
        options.onForcedExit?.();
        exitOnceFlushed(log, EXIT_CODES.runtime, FLUSH_WAIT_MS);
      }, drainDelayMs + graceMs + HARD_EXIT_AFTER_GRACE_MS + (options.extraHardExitMs ?? 0));
      const drained = drainDelayMs === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, drainDelayMs));
      drained.then(() => close(graceMs)).then(
        () => {
          logEvent(log, "info", "shutdown", { durationMs: Math.round(performance.now() - started) }, "stopped");
          exitOnceFlushed(log, EXIT_CODES.ok, FLUSH_WAIT_MS);
        },
        (err: unknown) => {
          logEvent(log, "error", "shutdown", { err }, "close failed");
          exitOnceFlushed(log, EXIT_CODES.runtime, FLUSH_WAIT_MS);
        },
      );
    };
    for (const signal of signals) process.on(signal, onSignal);
  });
}
