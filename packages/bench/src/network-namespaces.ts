// Linux network namespaces made by this project's own runs (the WAN benchmark's two nodes, the
// deploy test's three hosts): whether they work here, and their removal. Every such namespace is
// named `tlsb-<pid>-<role>` after the process that made it, so a later run can remove the ones a
// killed run left behind without touching a live run's.
import { execFileSync } from "node:child_process";
import { readdirSync, rmSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { which } from "./tools.ts";

const NAME = /^tlsb-(\d+)-[a-z]+$/;

/** The name of this process's namespace for `role` (lower-case letters). */
export function namespaceName(role: string): string {
  return `tlsb-${process.pid}-${role}`;
}

/** The arguments for `ip` that run `command args...` in namespace `ns`; ip execs in place, so the pid is the command's. */
export function netnsExecArgs(ns: string, command: string, args: readonly string[]): string[] {
  return ["netns", "exec", ns, command, ...args];
}

/** Why namespaces cannot be made here (not Linux, not root, a tool missing, `ip netns add` refused), or undefined. */
export function namespacesUnsupportedReason(tools: readonly string[] = ["ip"]): string | undefined {
  if (process.platform !== "linux") return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "network namespaces need root";
  const missing = tools.find((tool) => which(tool) === undefined);
  if (missing !== undefined) return `'${missing}' is not installed`;
  const probe = namespaceName("probe");
  try {
    execFileSync("ip", ["netns", "add", probe], { stdio: "pipe" });
    execFileSync("ip", ["netns", "del", probe], { stdio: "pipe" });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? "").trim();
    return `'ip netns add' does not work here: ${stderr || (err as Error).message}`;
  }
  return undefined;
}

/** Deletes a namespace (its veth ends go with it) and its /etc/netns folder; quiet when already gone. */
export function removeNamespace(name: string): void {
  try {
    execFileSync("ip", ["netns", "del", name], { stdio: "pipe", timeout: 10_000 });
  } catch {
    // never created, or already gone
  }
  rmSync(join("/etc/netns", name), { recursive: true, force: true });
  try {
    rmdirSync("/etc/netns"); // only if empty: other runs or tools may use it
  } catch {
    // not empty or absent
  }
}

/** Removes namespaces (and /etc/netns folders) left by earlier runs whose process no longer exists. */
export function sweepStaleNamespaces(): void {
  let names: string[] = [];
  try {
    names = execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")[0] ?? "");
  } catch {
    return;
  }
  try {
    names.push(...readdirSync("/etc/netns"));
  } catch {
    // no /etc/netns
  }
  for (const name of new Set(names)) {
    const pid = NAME.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    removeNamespace(name);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
