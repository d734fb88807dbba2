// A pino logger whose JSON lines are kept in memory, so tests can assert on the events a node
// logged (pino's own test style: parse the lines, check event names and fields).
import { Writable } from "node:stream";
import pino from "pino";
import type { Logger } from "pino";

/** One parsed log line. */
export type LogLine = { event?: string; level: number; msg?: string; [field: string]: unknown };

/** A logger and the lines it wrote so far. */
export type LogSink = {
  readonly log: Logger;
  readonly lines: LogLine[];
  /** Lines with this event name. */
  readonly events: (event: string) => LogLine[];
  /** Resolves with the first line (present or future) that has this event and passes `where`. */
  readonly waitFor: (event: string, where?: (line: LogLine) => boolean, timeoutMs?: number) => Promise<LogLine>;
};

/** A debug-level logger writing into memory. */
export function logSink(): LogSink {
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString("utf8").split("\n")) {
        if (text.trim() !== "") lines.push(JSON.parse(text) as LogLine);
      }
      for (const wake of waiters) wake();
      callback();
    },
  });
  const log = pino({ level: "debug" }, stream);
  const events = (event: string): LogLine[] => lines.filter((line) => line.event === event);
  const waitFor = (event: string, where: (line: LogLine) => boolean = () => true, timeoutMs = 10_000): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = events(event).find(where);
        if (found === undefined) return false;
        waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no ${event} log line within ${timeoutMs} ms; saw: ${lines.map((l) => l.event).join(", ")}`));
      }, timeoutMs);
      if (!check()) waiters.add(wake);
    });
  return { log, lines, events, waitFor };
}
