import { afterEach, describe, expect, it } from "vitest";
import { noteBytesRead, reclaimReadBuffersWith, RECLAIM_EVERY_BYTES } from "./read-buffer-reclaim.ts";

afterEach(() => reclaimReadBuffersWith(undefined));

describe("read buffer reclaiming", () => {
  it("collects once per RECLAIM_EVERY_BYTES read, whatever the chunk sizes", () => {
    let collections = 0;
    reclaimReadBuffersWith(() => (collections += 1));
    const chunk = 65_536 - 100; // does not divide the threshold
    let read = 0;
    while (read + chunk <= 3 * RECLAIM_EVERY_BYTES) {
      noteBytesRead(chunk);
      read += chunk;
    }
    // The counter restarts at each collection, so leftovers carry no credit: 2 full periods here.
    expect(collections).toBe(2);
    noteBytesRead(RECLAIM_EVERY_BYTES);
    expect(collections).toBe(3);
  });

  it("does nothing until a collector is handed over, and again once it is taken away", () => {
    let collections = 0;
    noteBytesRead(2 * RECLAIM_EVERY_BYTES);
    reclaimReadBuffersWith(() => (collections += 1));
    noteBytesRead(RECLAIM_EVERY_BYTES - 1);
    expect(collections).toBe(0);
    reclaimReadBuffersWith(undefined);
    noteBytesRead(RECLAIM_EVERY_BYTES);
    expect(collections).toBe(0);
  });
});
