// Ends a node's process once its shutdown is over (issue 9). Left to the event loop running dry, any
// handle still open decided whether the process exited: once an ingress logged `shutdown` and then
// spun forever in Node's exit-time handle cleanup. process.exit() skips that cleanup, but it still
// joins libuv's thread pool, and a log write blocked on a stdout nobody reads never returns: so the
// process exits only after its logs are written, and otherwise ends itself by signal.
import pino from "pino";
import type { Logger } from "pino";
import type { ExitCode } from "./exit-codes.ts";

/** How often the log destination is looked at while lines are still being written. */
const POLL_MS = 5;

/**
 * True once the logger's destination holds nothing unwritten. pino's asynchronous destination
 * (sonic-boom) answers `flush(cb)` at once, before the write in flight is done, and its exit-time
 * flushSync then writes the newer lines before the one in flight (the `shutdown` line came out
 * before `signal`): so this reads its state. Any other destination writes synchronously.
 */
function logsWritten(log: Logger): boolean {
  const stream = (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as { _writing?: boolean; _len?: number } | undefined;
  return stream?._writing !== true && (stream?._len ?? 0) === 0;
}

/**
 * Exits with `code` once every log line is written; if that has not happened within `flushWaitMs`
 * (a stalled log reader), ends the process with {@link terminateNow}.
 */
export function exitOnceFlushed(log: Logger, code: ExitCode, flushWaitMs: number): void {
  const deadline = performance.now() + flushWaitMs;
  const attempt = (): void => {
    if (logsWritten(log)) process.exit(code);
    if (performance.now() >= deadline) terminateNow();
    setTimeout(attempt, POLL_MS);
  };
  attempt();
}

/**
 * Ends the process at once, without Node's exit path: SIGTERM's default action (systemd counts an
 * exit by SIGTERM as clean), SIGKILL should anything still catch SIGTERM. Unwritten log lines are lost.
 */
export function terminateNow(): never {
  process.removeAllListeners("SIGTERM"); // the last listener gone, Node restores the default action
  process.kill(process.pid, "SIGTERM");
  process.kill(process.pid, "SIGKILL");
  throw new Error("unreachable: the process was killed");
}
