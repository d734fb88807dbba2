// A started program that a system under test owns: its child process, log file and the ports
// it must be listening on before the system counts as started.

import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { startChild, stopChild } from "./child-processes.ts";
import { waitForPort } from "./ports.ts";

/** Starts `command`, logging to `<workDir>/<label>.log`, and waits until it listens on every port in `ports`. */
export async function launch(
  label: string,
  command: string,
  args: readonly string[],
  workDir: string,
  ports: readonly number[],
  timeoutMs = 15_000,
): Promise<ChildProcess> {
  const child = startChild(command, args, { logFile: join(workDir, `${label}.log`) });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  try {
    for (const port of ports) await waitForPort(port, timeoutMs, alive);
  } catch (err) {
    await stopChild(child);
    throw new Error(`${label} did not start (see ${join(workDir, `${label}.log`)}): ${(err as Error).message}`);
  }
  return child;
}

/** Stops all children, in parallel. */
export async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(children.map((c) => stopChild(c)));
}

/** Pids of the children that are still running. */
export function pidsOf(children: readonly ChildProcess[]): number[] {
  return children.flatMap((c) => (c.pid !== undefined && c.exitCode === null ? [c.pid] : []));
}
