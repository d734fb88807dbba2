// The programs a system under test owns: each child process, its log file and the ports it must be
// listening on before the system counts as started, and the group that stops and samples them.

import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { startChild, stopChild } from "./child-processes.ts";
import { waitForPort } from "./ports.ts";
import { LOOPBACK_SIDE } from "./side.ts";
import type { Side } from "./side.ts";

const START_TIMEOUT_MS = 15_000;

/**
 * Starts `command` on `side`, logging to `<workDir>/<label>.log`, and waits until it listens on
 * every port in `ports` (at the side's address).
 */
export async function launch(
  label: string,
  command: string,
  args: readonly string[],
  workDir: string,
  ports: readonly number[],
  side: Side = LOOPBACK_SIDE,
): Promise<ChildProcess> {
  const child = startChild(command, args, { logFile: join(workDir, `${label}.log`), netns: side.netns });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  try {
    for (const port of ports) await waitForPort(side.host, port, START_TIMEOUT_MS, alive);
  } catch (err) {
    await stopChild(child);
    throw new Error(`${label} did not start (see ${join(workDir, `${label}.log`)}): ${(err as Error).message}`);
  }
  return child;
}

/** The programs one system under test runs: started through {@link launch}, stopped together, sampled by pid. */
export class ProcessGroup {
  #children: ChildProcess[] = [];

  /** {@link launch}, and keep the child in this group. */
  async launch(...args: Parameters<typeof launch>): Promise<void> {
    this.#children.push(await launch(...args));
  }

  /** Stops every child, in parallel, and empties the group. */
  async stop(): Promise<void> {
    await Promise.all(this.#children.map((c) => stopChild(c)));
    this.#children = [];
  }

  /** Pids of the children that are still running. */
  pids(): number[] {
    return this.#children.flatMap((c) => (c.pid !== undefined && c.exitCode === null ? [c.pid] : []));
  }
}
