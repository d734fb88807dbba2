// SIGTERM or SIGINT closes the node gracefully (tunnels get the grace period to drain); a second
// signal means "now": the process exits at once with 1.
import type { Logger } from "pino";
import { LOG_EVENTS } from "@tlsbridge/transport";
import { EXIT_CODES } from "./exit-codes.ts";
import type { ExitCode } from "./exit-codes.ts";

const SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/**
 * Resolves with the exit code once a signal arrived and `close(graceMs)` finished (0), or failed (1).
 * The handlers stay installed, so a signal during the drain exits immediately. Worker processes pass
 * `["SIGTERM"]`: their supervisor turns a Ctrl-C (SIGINT to the whole process group) into SIGTERM.
 */
export function closeOnSignal(
  close: (graceMs: number) => Promise<void>,
  graceMs: number,
  log: Logger,
  signals: readonly NodeJS.Signals[] = SIGNALS,
): Promise<ExitCode> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.warn({ event: LOG_EVENTS.signal, signal, immediate: true }, "second signal: exiting without waiting");
        process.exit(EXIT_CODES.runtime);
      }
      stopping = true;
      const started = performance.now();
      log.info({ event: LOG_EVENTS.signal, signal, graceMs }, "closing; send the signal again to exit at once");
      close(graceMs).then(
        () => {
          log.info({ event: LOG_EVENTS.shutdown, durationMs: Math.round(performance.now() - started) }, "stopped");
          resolve(EXIT_CODES.ok);
        },
        (err: unknown) => {
          log.error({ event: LOG_EVENTS.shutdown, err }, "close failed");
          resolve(EXIT_CODES.runtime);
        },
      );
    };
    for (const signal of signals) process.on(signal, onSignal);
  });
}
