// Starts services-process.ts on the far side (next to the peer) and hands back its ports.

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { firstLine, startChild } from "./child-processes.ts";
import type { Side } from "./side.ts";

/** Ports of the services every scenario talks to through the system under test. */
export type ServicePorts = { echo: number; sink: number; source: number };

/** The running services and their process. */
export type Services = { ports: ServicePorts; child: ChildProcess };

/**
 * Spawns the services process with the same node binary that runs the benchmark, on the `far` side.
 * They listen on loopback; in a far namespace on every address of it (its loopback and its end of
 * the link), so the peer reaches them on 127.0.0.1 and `direct` across the path.
 */
export async function startServices(workDir: string, far: Side): Promise<Services> {
  const script = fileURLToPath(new URL("./services-process.ts", import.meta.url));
  const host = far.netns === undefined ? "127.0.0.1" : "0.0.0.0";
  const child = startChild(process.execPath, [script, host], { logFile: join(workDir, "services.log"), pipeStdout: true, netns: far.netns });
  const line = await firstLine(child, 10_000);
  const ports = JSON.parse(line) as ServicePorts;
  return { ports, child };
}
