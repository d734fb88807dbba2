// Runs a third-party program (squid, Apache Traffic Server) for an interop test: in its own process
// group, output to a log file in the test's temp dir, ready once it listens on its ports; stopped
// (the whole group: both fork workers) when the test ends or the test process exits. The process
// handling is the benchmark's (packages/bench/src/child-processes.ts), which runs the same programs.
import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { startChild, stopChild, waitForPort } from "@tlsbridge/bench";

/** A started program. */
export type ForeignProcess = {
  readonly child: ChildProcess;
  /** What the program wrote to stdout and stderr so far (for failure messages). */
  readonly output: () => Promise<string>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader exited. */
  readonly stop: (graceMs?: number) => Promise<void>;
};

/**
 * Starts `command args` and resolves once it accepts TCP connections on 127.0.0.1 on every port in
 * `ports` (polling; the program gives no other signal). Rejects with its output if it exits first
 * or does not listen within `timeoutMs` per port.
 */
export async function startForeignProcess(
  command: string,
  args: readonly string[],
  options: { readonly logFile: string; readonly ports: readonly number[]; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): Promise<ForeignProcess> {
  const child = startChild(command, args, { logFile: options.logFile, env: options.env });
  const output = async (): Promise<string> => await readFile(options.logFile, "utf8").catch(() => "");
  const stop = (graceMs = 5_000): Promise<void> => stopChild(child, graceMs);
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  try {
    for (const port of options.ports) await waitForPort("127.0.0.1", port, options.timeoutMs ?? 30_000, alive);
  } catch (err) {
    await stop();
    throw new Error(`${command}: ${(err as Error).message}:\n${(await output()).slice(-4_000)}`, { cause: err });
  }
  return { child, output, stop };
}
