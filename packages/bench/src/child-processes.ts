// Every process the benchmark starts goes through here, so that all of them (and their forked
// children: socat forks per connection) are killed on a normal exit, an error or a signal.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { netnsExecArgs } from "./network-namespaces.ts";

const live = new Set<ChildProcess>();
let hooked = false;

/** Options for `startChild`. `logFile` gets stdout and stderr unless `pipeStdout` keeps stdout. */
export type StartChildOptions = {
  logFile: string;
  pipeStdout?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Runs the command in this network namespace (`ip netns exec`, which keeps the pid). */
  netns?: string;
};

/**
 * Spawns `command` in its own process group (so the whole group can be killed), with the soft
 * open-files limit raised to the hard one (a held tunnel costs a relay two descriptors).
 */
export function startChild(command: string, args: readonly string[], opts: StartChildOptions): ChildProcess {
  hookExit();
  const argv = opts.netns === undefined ? [command, ...args] : ["ip", ...netnsExecArgs(opts.netns, command, args)];
  const child = spawn("/bin/sh", ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', "sh", ...argv], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  const log = createWriteStream(opts.logFile, { flags: "a" });
  if (opts.pipeStdout !== true) child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  live.add(child);
  child.once("exit", () => live.delete(child));
  child.once("error", () => live.delete(child));
  return child;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops one child: SIGTERM to its group, SIGKILL after `graceMs`; resolves once it exited. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, "SIGKILL"); // forked children may outlive the leader
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
  killGroup(child, "SIGKILL");
  live.delete(child);
}

/** Kills everything still running, synchronously (safe in an 'exit' handler). */
export function killAllChildren(): void {
  for (const child of live) killGroup(child, "SIGKILL");
  live.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", killAllChildren);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      killAllChildren();
      process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGTERM" ? 15 : 1));
    });
  }
}

/** Resolves with the first line the child prints on stdout, or rejects on exit or timeout. */
export function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => done(new Error(`no output within ${timeoutMs} ms`)), timeoutMs);
    const onData = (d: Buffer): void => {
      buf += d.toString("utf8");
      const nl = buf.indexOf("\n");
      if (nl >= 0) done(undefined, buf.slice(0, nl));
    };
    const onExit = (code: number | null): void => done(new Error(`exited (${code}) before printing a line`));
    function done(err: Error | undefined, line?: string): void {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(line ?? "");
    }
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}
