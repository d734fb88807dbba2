// /proc parsing: a comm with spaces and parentheses must not shift the fields.
import { describe, expect, it } from "vitest";
import { parseProcStat, parsePssKiB } from "./proc-parse.ts";

describe("parseProcStat", () => {
  // Fields 1..17 of proc(5): pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
  const line = "4242 (squid (kid) 1) S 17 4242 4242 0 -1 4194560 900 0 0 0 150 50 7 3 20 0 1 0 12345 1000000 500\n";
  it("reads pid, comm, state, ppid and CPU ticks", () => {
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      comm: "squid (kid) 1",
      state: "S",
      ppid: 17,
      ownTicks: 200,
      childTicks: 10,
    });
  });
  it("reads this process's own stat file", async () => {
    const { readFileSync } = await import("node:fs");
    const st = parseProcStat(readFileSync("/proc/self/stat", "utf8"));
    expect(st.ppid).toBeGreaterThan(0);
    expect(st.ownTicks).toBeGreaterThanOrEqual(0);
  });
  it("rejects a malformed line", () => {
    expect(() => parseProcStat("garbage")).toThrow(/malformed/);
    expect(() => parseProcStat("1 (x) S notanumber")).toThrow(/malformed/);
  });
});

describe("parsePssKiB", () => {
  it("reads the Pss line of smaps_rollup", () => {
    const text = [
      "55d0c0a00000-7ffd3b9fe000 ---p 00000000 00:00 0                          [rollup]",
      "Rss:               12345 kB",
      "Pss:                6789 kB",
      "Pss_Dirty:          4000 kB",
      "Pss_Anon:           3000 kB",
    ].join("\n");
    expect(parsePssKiB(text)).toBe(6789);
  });
  it("throws without a Pss line", () => {
    expect(() => parsePssKiB("Rss: 1 kB\n")).toThrow(/Pss/);
  });
});
