// Regression: nothing bounded how many scrypt verifications ran at once, so a flood of wrong
// passwords could fill libuv's thread pool (which DNS lookups share). The gate runs at most
// maxRunning, queues maxWaiting more in order, and refuses the rest at once.
import { describe, expect, it } from "vitest";
import { VerifyGate } from "./verify-gate.ts";

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe("VerifyGate", () => {
  it("runs at most maxRunning at once, queues maxWaiting in order, refuses beyond", async () => {
    const gate = new VerifyGate({ maxRunning: 2, maxWaiting: 2 });
    const blockers = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = blockers.map((b, i) => gate.run(async () => {
      started.push(i);
      await b.promise;
      return i;
    }));
    expect(runs.every((r) => r !== undefined)).toBe(true);
    expect(gate.run(async () => 99)).toBeUndefined();
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(gate.load).toEqual({ running: 2, waiting: 2 });
    blockers[1]?.resolve();
    await runs[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    for (const b of blockers) b.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it("frees the slot when a task fails", async () => {
    const gate = new VerifyGate({ maxRunning: 1, maxWaiting: 0 });
    await expect(gate.run(async () => { throw new Error("boom"); })).rejects.toThrow("boom");
    expect(await gate.run(async () => 1)).toBe(1);
  });
});
