// Starts services-process.ts and hands back its ports.

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { firstLine, startChild } from "./child-processes.ts";

/** Loopback ports of the services every scenario talks to through the system under test. */
export type ServicePorts = { echo: number; sink: number; source: number };

/** The running services and their process. */
export type Services = { ports: ServicePorts; child: ChildProcess };

/** Spawns the services process with the same node binary that runs the benchmark. */
export async function startServices(workDir: string): Promise<Services> {
  const script = fileURLToPath(new URL("./services-process.ts", import.meta.url));
  const child = startChild(process.execPath, [script], { logFile: join(workDir, "services.log"), pipeStdout: true });
  const line = await firstLine(child, 10_000);
  const ports = JSON.parse(line) as ServicePorts;
  return { ports, child };
}
