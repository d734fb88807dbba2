// What machine the numbers came from: cores, CPU model, kernel, node and baseline versions,
// written beside every result because the figures mean nothing without it.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { which } from "./tools.ts";

/** Facts about this machine and the programs measured. */
export type MachineInfo = {
  nproc: number;
  cpuModel: string;
  memGiB: number;
  kernel: string;
  node: string;
  openssl: string;
  tools: Record<string, string>;
};

function lineOf(command: string, args: string[], pattern: RegExp): string {
  let out: string;
  try {
    const r = spawnSync(command, args, { encoding: "utf8", timeout: 5000 });
    out = `${r.stdout ?? ""}\n${r.stderr ?? ""}`; // stunnel prints its version on stderr
  } catch {
    return "?";
  }
  return out.split("\n").find((l) => pattern.test(l))?.trim() ?? "?";
}

/** Collects the machine description. */
export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? "?";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m?.[1]) cpuModel = m[1];
  } catch {
    // keep os.cpus()
  }
  const tools: Record<string, string> = {};
  const socat = which("socat");
  if (socat) tools.socat = lineOf(socat, ["-V"], /socat version/);
  const stunnel = which("stunnel4") ?? which("stunnel");
  if (stunnel) tools.stunnel = lineOf(stunnel, ["-version"], /^stunnel \d/);
  const squid = which("squid");
  if (squid) tools.squid = lineOf(squid, ["-v"], /Version/);
  return {
    nproc: os.availableParallelism(),
    cpuModel,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    openssl: process.versions.openssl ?? "?",
    tools,
  };
}
