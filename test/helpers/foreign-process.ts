// Runs a third-party program (squid, Apache Traffic Server) for an interop test: in its own process
// group, output to a log file in the test's temp dir, ready once it listens on its ports; stopped
// (the whole group: both fork workers) when the test ends or the test process exits.
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import net from "node:net";

/** A started program. */
export type ForeignProcess = {
  readonly child: ChildProcess;
  /** What the program wrote to stdout and stderr so far (for failure messages). */
  readonly output: () => Promise<string>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader exited. */
  readonly stop: (graceMs?: number) => Promise<void>;
};

const live = new Set<ChildProcess>();
let hooked = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Absolute path of an executable on PATH or in the sbin directories, or undefined. */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    if (spawnSync("test", ["-x", `${dir}/${name}`]).status === 0) return `${dir}/${name}`;
  }
  return undefined;
}

/** A currently free port on 127.0.0.1 (for programs that take a fixed port in their config). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function listening(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Starts `command args` and resolves once it accepts TCP connections on every port in `ports`
 * (polling; the program gives no other signal). Rejects with its output if it exits first or does
 * not listen within `timeoutMs`.
 */
export async function startForeignProcess(
  command: string,
  args: readonly string[],
  options: { readonly logFile: string; readonly ports: readonly number[]; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): Promise<ForeignProcess> {
  if (!hooked) {
    hooked = true;
    process.once("exit", () => {
      for (const child of live) killGroup(child, "SIGKILL");
    });
  }
  const child = spawn(command, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env });
  const log = createWriteStream(options.logFile, { flags: "a" });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("error", () => live.delete(child));
  void exited.then(() => live.delete(child));
  const output = async (): Promise<string> => await readFile(options.logFile, "utf8").catch(() => "");
  const stop = async (graceMs = 5_000): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    killGroup(child, "SIGKILL"); // workers forked by the leader may outlive it
    live.delete(child);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (const port of options.ports) {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const text = await output();
        throw new Error(`${command} exited (${child.exitCode ?? child.signalCode}) before listening on ${port}:\n${text.slice(-4_000)}`);
      }
      if (await listening(port)) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${command} did not listen on ${port} in time:\n${(await output()).slice(-4_000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, output, stop };
}
