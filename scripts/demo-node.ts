// Starts one tlsbridge node for the demo as a child process running the real program (so the demo
// is really two nodes). Its JSON log lines are shown pretty with a prefix, and its `listening`
// lines tell the demo when it is ready (no probe connections that the node would log as failures).
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import PinoPretty from "pino-pretty";

/** packages/cli/bin/tlsbridge.ts. */
export const TLSBRIDGE_BIN = fileURLToPath(new URL("../packages/cli/bin/tlsbridge.ts", import.meta.url));

/** A running node. */
export type DemoNode = {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Resolves when the node logs `listening` for `address` (`host:port`); rejects if it exits first. */
  listening(address: string, timeoutMs: number): Promise<void>;
};

/**
 * Runs `tlsbridge <role> --config <config>` with this process's Node. The child gets its own
 * process group, so a terminal's Ctrl-C reaches only the demo, which then stops each node once.
 */
export function startDemoNode(role: "ingress" | "peer", config: string, color: boolean): DemoNode {
  const child = spawn(process.execPath, [TLSBRIDGE_BIN, role, "--config", config], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pretty = PinoPretty.prettyFactory({
    colorize: color,
    singleLine: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,role,node,event",
    messageFormat: "{event}{if msg} {msg}{end}",
  });
  const prefix = color ? `\x1b[${role === "peer" ? 35 : 36}m[${role}]\x1b[0m ` : `[${role}] `;
  const seen = new Set<string>();
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on("line", (line) => {
    let entry: Record<string, unknown> | undefined;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // Not a log line: show it as it is.
    }
    process.stdout.write(`${prefix}${entry === undefined ? `${line}\n` : pretty(entry)}`);
    if (entry?.event === "listening" && typeof entry.address === "string") {
      seen.add(entry.address);
      for (const wake of waiters) wake();
    }
  });
  createInterface({ input: child.stderr }).on("line", (line) => process.stdout.write(`${prefix}${line}\n`));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const listening = (address: string, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        waiters.delete(check);
        if (err === undefined) resolve();
        else reject(err);
      };
      const check = (): void => {
        if (seen.has(address)) finish();
      };
      const timer = setTimeout(() => finish(new Error(`the ${role} did not log listening on ${address} within ${timeoutMs} ms`)), timeoutMs);
      waiters.add(check);
      void exited.then((code) => finish(new Error(`the ${role} exited with code ${String(code)} before listening`)));
      check();
    });
  return { name: role, child, exited, listening };
}

/** SIGTERM, then SIGKILL if the node has not exited within `graceMs`. */
export async function stopDemoNode(node: DemoNode, graceMs: number): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  node.child.kill("SIGTERM");
  const timer = setTimeout(() => node.child.kill("SIGKILL"), graceMs);
  await node.exited;
  clearTimeout(timer);
}
