// Samples the system under test from /proc: its whole process tree (socat forks per connection,
// squid may fork kids), CPU seconds used and PSS. PSS splits shared pages fairly between processes.

import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { parseProcStat, parsePssKiB } from "./proc-parse.ts";
import type { ProcStat } from "./proc-parse.ts";

let clockTicks: number | undefined;

/** CLK_TCK, the unit of the times in /proc/<pid>/stat (almost always 100). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined; // exited meanwhile
  }
}

/** The stats of `roots` and all their living (or zombie) descendants. */
export function processTree(roots: readonly number[]): ProcStat[] {
  if (roots.length === 0) return [];
  const all: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (st) all.push(st);
  }
  const children = new Map<number, ProcStat[]>();
  for (const st of all) {
    const list = children.get(st.ppid) ?? [];
    list.push(st);
    children.set(st.ppid, list);
  }
  const byPid = new Map(all.map((s) => [s.pid, s] as const));
  const out: ProcStat[] = [];
  const queue = roots.map((p) => byPid.get(p)).filter((s): s is ProcStat => s !== undefined);
  const seen = new Set<number>();
  while (queue.length > 0 && out.length < 100_000) {
    const st = queue.shift() as ProcStat;
    if (seen.has(st.pid)) continue;
    seen.add(st.pid);
    out.push(st);
    for (const c of children.get(st.pid) ?? []) queue.push(c);
  }
  return out;
}

/**
 * CPU seconds (user + system) of the tree, including children already reaped (cutime/cstime),
 * so a difference of two samples covers processes that ran and exited in between.
 */
export function treeCpuSeconds(roots: readonly number[]): number | undefined {
  const tree = processTree(roots);
  if (tree.length === 0) return undefined;
  const ticks = tree.reduce((sum, s) => sum + s.ownTicks + s.childTicks, 0);
  return ticks / clockTicksPerSecond();
}

/** Sum of PSS over the tree, in KiB (zombies and vanished processes count zero). */
export function treePssKiB(roots: readonly number[]): number | undefined {
  const tree = processTree(roots);
  if (tree.length === 0) return undefined;
  let sum = 0;
  for (const st of tree) {
    try {
      sum += parsePssKiB(readFileSync(`/proc/${st.pid}/smaps_rollup`, "utf8"));
    } catch {
      // zombie or exited: no pages left
    }
  }
  return sum;
}
