import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { logEvent } from "./log-event.ts";

/** A logger whose lines land in `lines`. */
function memoryLog(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      callback();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines };
}

describe("logEvent", () => {
  it("writes the event, its fields and the message at the level given", () => {
    const { log, lines } = memoryLog();
    logEvent(log, "info", "tunnel.close", { bytesUp: 1, bytesDown: 2, durationMs: 3, outcome: "done", err: undefined }, "tunnel closed");
    expect(lines).toEqual([expect.objectContaining({ level: 30, event: "tunnel.close", bytesUp: 1, bytesDown: 2, durationMs: 3, outcome: "done", msg: "tunnel closed" })]);
    expect(Object.keys(lines[0] ?? {})).not.toContain("err");
  });

  it("does not compile a line the catalogue does not allow (checked by tsc --noEmit)", () => {
    const { log, lines } = memoryLog();
    // @ts-expect-error `bytes` is not a field of tunnel.close
    logEvent(log, "info", "tunnel.close", { bytesUp: 1, bytesDown: 2, durationMs: 3, outcome: "done", bytes: 3 }, "m");
    // @ts-expect-error `outcome` is required
    logEvent(log, "info", "tunnel.close", { bytesUp: 1, bytesDown: 2, durationMs: 3 }, "m");
    // @ts-expect-error `bytesUp` is a number
    logEvent(log, "info", "tunnel.close", { bytesUp: "1", bytesDown: 2, durationMs: 3, outcome: "done" }, "m");
    // @ts-expect-error tunnel.close is written at info only
    logEvent(log, "warn", "tunnel.close", { bytesUp: 1, bytesDown: 2, durationMs: 3, outcome: "done" }, "m");
    // @ts-expect-error no such event
    logEvent(log, "info", "tunnel.closed", {}, "m");
    expect(lines).toHaveLength(5);
  });
});
