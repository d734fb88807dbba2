// Three Linux network namespaces standing in for the corp, wan and cloud hosts of the compose
// deployment, for test/deploy/netns-two-hosts.test.ts. Needs root and `ip netns`; everything it
// creates carries this process's pid in its name and is removed by `destroy()`, on process exit,
// or by the next run (namespaces whose pid is gone: packages/bench/src/network-namespaces.ts).
//
//   corp host                    wan host (router)                  cloud host
//   ┌───────────────────┐        ┌──────────────────────┐          ┌──────────────────────────┐
//   │ client, ingress   │ veth   │ ip_forward=1         │  veth    │ peer      10.231.2.2     │
//   │ wan0 10.231.1.1/30├────────┤corp0 10.231.1.2/30   │          │ service   10.231.3.1 (lo)│
//   │ route 10.231.2/30 │        │cloud0 10.231.2.1/30  ├──────────┤wan0 10.231.2.2/30        │
//   │   via 10.231.1.2  │        │ (no route to .3.0/24)│          │ route 10.231.1/30 via .1 │
//   └───────────────────┘        └──────────────────────┘          └──────────────────────────┘
//   hosts: ingress, peer                                            hosts: service, peer
//
// The service's address lives on the cloud host's loopback and the wan router has no route to it,
// so the corp host can neither resolve `service` nor reach 10.231.3.1: only the peer can.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { namespaceName, namespacesUnsupportedReason, netnsExecArgs, removeNamespace, sweepStaleNamespaces } from "@tlsbridge/bench";

/** The addresses of the lab; private and only ever configured inside its namespaces. */
export const LAB_ADDRESSES = {
  corp: "10.231.1.1",
  wanCorpSide: "10.231.1.2",
  wanCloudSide: "10.231.2.1",
  cloud: "10.231.2.2",
  service: "10.231.3.1",
} as const;

/** The three hosts by role. */
export type LabHost = "corp" | "wan" | "cloud";

/** A running lab. */
export type NetnsLab = {
  /** Namespace names by host (`tlsb-<pid>-corp`, ...). */
  readonly ns: Readonly<Record<LabHost, string>>;
  /** The arguments for `ip` that run `command args...` on `host` (`netns exec <ns> command ...`). */
  execArgs(host: LabHost, command: string, args: readonly string[]): string[];
  /** Runs a command on `host`; resolves with its exit code and output (never rejects on exit code). */
  run(host: LabHost, command: string, args: readonly string[], timeoutMs?: number): Promise<RunOutput>;
  /** Deletes the namespaces and their /etc/netns folders. Idempotent; safe after a partial setup. */
  destroy(): void;
};

/** Exit code and output of a command run in a namespace. */
export type RunOutput = { readonly code: number | string; readonly stdout: string; readonly stderr: string };

const HOSTS: readonly LabHost[] = ["corp", "wan", "cloud"];

/** Why the lab cannot run here, or undefined when it can (root, `ip netns`, curl, getent). */
export function labUnsupportedReason(): string | undefined {
  const why = namespacesUnsupportedReason(["ip", "curl", "getent"]);
  return why === "network namespaces need root" ? `${why} (run the tests as root, as CI does)` : why;
}

/** Creates the three hosts, their links, routes and name files. Throws (after cleaning up) on failure. */
export function createLab(hostsFiles: Readonly<Record<LabHost, string>>): NetnsLab {
  sweepStaleNamespaces();
  const ns = { corp: namespaceName("corp"), wan: namespaceName("wan"), cloud: namespaceName("cloud") } as const;
  let destroyed = false;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    process.off("exit", destroy);
    for (const host of HOSTS) removeNamespace(ns[host]);
  };
  // A trap: a test run that ends without afterAll (a crash, process.exit) still cleans up.
  process.once("exit", destroy);

  const ip = (...args: string[]): void => void execFileSync("ip", args, { stdio: "pipe", timeout: 10_000 });
  const inNs = (host: LabHost, ...args: string[]): void => ip("-n", ns[host], ...args);
  try {
    for (const host of HOSTS) {
      // Name files first: `ip netns exec` bind-mounts /etc/netns/<ns>/* over /etc/* for the command.
      const dir = join("/etc/netns", ns[host]);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "hosts"), hostsFiles[host]);
      // A resolver nobody answers on this host's loopback: names not in `hosts` fail at once
      // instead of leaking to the machine's own DNS.
      writeFileSync(join(dir, "resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
      ip("netns", "add", ns[host]);
      inNs(host, "link", "set", "lo", "up");
    }
    ip("link", "add", "wan0", "netns", ns.corp, "type", "veth", "peer", "name", "corp0", "netns", ns.wan);
    ip("link", "add", "wan0", "netns", ns.cloud, "type", "veth", "peer", "name", "cloud0", "netns", ns.wan);
    inNs("corp", "addr", "add", `${LAB_ADDRESSES.corp}/30`, "dev", "wan0");
    inNs("wan", "addr", "add", `${LAB_ADDRESSES.wanCorpSide}/30`, "dev", "corp0");
    inNs("wan", "addr", "add", `${LAB_ADDRESSES.wanCloudSide}/30`, "dev", "cloud0");
    inNs("cloud", "addr", "add", `${LAB_ADDRESSES.cloud}/30`, "dev", "wan0");
    inNs("cloud", "addr", "add", `${LAB_ADDRESSES.service}/32`, "dev", "lo");
    for (const [host, dev] of [["corp", "wan0"], ["wan", "corp0"], ["wan", "cloud0"], ["cloud", "wan0"]] as const) {
      inNs(host, "link", "set", dev, "up");
    }
    inNs("corp", "route", "add", "10.231.2.0/30", "via", LAB_ADDRESSES.wanCorpSide);
    inNs("cloud", "route", "add", "10.231.1.0/30", "via", LAB_ADDRESSES.wanCloudSide);
    // The wan host routes between its two links (a per-namespace sysctl).
    execFileSync("ip", ["netns", "exec", ns.wan, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"], { stdio: "pipe" });
  } catch (err) {
    destroy();
    const stderr = String((err as { stderr?: Buffer }).stderr ?? "").trim();
    throw new Error(`could not build the namespace lab: ${stderr || (err as Error).message}`, { cause: err });
  }

  const execArgs = (host: LabHost, command: string, args: readonly string[]): string[] => netnsExecArgs(ns[host], command, args);
  const run = (host: LabHost, command: string, args: readonly string[], timeoutMs = 15_000): Promise<RunOutput> =>
    promisify(execFile)("ip", execArgs(host, command, args), { timeout: timeoutMs }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (err: { code?: number | string; stdout?: string; stderr?: string; killed?: boolean }) => ({
        code: err.killed === true ? "timeout" : (err.code ?? "error"),
        stdout: err.stdout ?? "",
        stderr: err.stderr ?? "",
      }),
    );
  return { ns, execArgs, run, destroy };
}
