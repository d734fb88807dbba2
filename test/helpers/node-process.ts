// Runs an ingress or a peer in a child process (node-child.ts), for tests that need a node apart
// from the test's own sockets: its memory measured alone, SIGKILL mid-transfer, restart on a port.
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import type { ChildNodeSpec } from "./node-child.ts";
import type { LogLine } from "./log-sink.ts";

/** A node running in a child process. */
export type NodeProcess = {
  readonly port: number;
  readonly child: ChildProcess;
  /** Log lines the node wrote so far. */
  readonly logs: LogLine[];
  /** `process.memoryUsage()` of the node, right after a full GC. */
  readonly memory: () => Promise<NodeJS.MemoryUsage>;
  readonly activeConnections: () => Promise<number>;
  /** `close(graceMs)` on the node, then the process exits. */
  readonly close: (graceMs?: number) => Promise<void>;
  /** SIGKILL: no shutdown code runs, the kernel closes every socket. */
  readonly kill: () => Promise<void>;
};

export type { ChildNodeSpec };

/** Forks a node and resolves once it listens. */
export async function startNodeProcess(spec: ChildNodeSpec): Promise<NodeProcess> {
  const child = fork(join(import.meta.dirname, "node-child.ts"), [], {
    execArgv: ["--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const logs: LogLine[] = [];
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const exited = once(child, "exit");
  child.on("message", (message: { type?: string; line?: LogLine; id?: number; ok?: boolean; value?: unknown; error?: string }) => {
    if (message.type === "log") {
      logs.push(message.line as LogLine);
      return;
    }
    const waiter = pending.get(message.id as number);
    pending.delete(message.id as number);
    if (message.ok) waiter?.resolve(message.value);
    else waiter?.reject(new Error(message.error));
  });
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error("node process exited"));
    pending.clear();
  });
  const call = <T>(request: Record<string, unknown>): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, ...request });
    });
  const port = await call<number>({ type: "start", spec }).catch((err: unknown) => {
    child.kill("SIGKILL");
    throw err;
  });
  return {
    port,
    child,
    logs,
    memory: () => call<NodeJS.MemoryUsage>({ type: "memory" }),
    activeConnections: () => call<number>({ type: "active" }),
    close: async (graceMs = 0) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await call({ type: "close", graceMs });
      child.disconnect();
      await exited;
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}
