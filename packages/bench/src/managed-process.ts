// The programs a system under test owns: each child process, its log file and the ports it must be
// listening on before the system counts as started, and the group that stops and samples them.

import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { startChild, stopChild } from "./child-processes.ts";
import { listensOn } from "./port-owner.ts";
import { waitForPort } from "./ports.ts";
import { LOOPBACK_SIDE } from "./side.ts";
import type { Side } from "./side.ts";

const START_TIMEOUT_MS = 15_000;

/**
 * Starts `command` on `side`, logging to `<workDir>/<label>.log`, and waits until it listens on
 * every port in `ports` (at the side's address): something answers there, and it is this process
 * or a child of it (port-owner.ts), not another program that took the port first.
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
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (const port of ports) {
      await waitForPort(side.host, port, Math.max(0, deadline - Date.now()), alive);
      while (child.pid !== undefined && !listensOn(child.pid, port)) {
        if (!alive()) throw new Error(`process exited; port ${port} is held by another program`);
        if (Date.now() > deadline) throw new Error(`port ${port} answers, but another program holds it`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
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
