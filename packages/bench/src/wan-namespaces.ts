// The WAN run's two hosts: when root and `ip netns` work here, `npm run bench -- --wan` runs in a
// near namespace (the load generator, the ingress or client relay, the delay lines) and starts the
// far side (the peer or server relay, the services) in a far namespace. One veth link joins them;
// the systems' only way across is a delay line, so each node has a network stack of its own:
//
//   tlsb-<pid>-near                               tlsb-<pid>-far
//   ┌──────────────────────────────────┐  veth   ┌────────────────────────────────┐
//   │ generator → ingress → delay line ├─────────┤ peer → services                │
//   │ lo, wan0 198.18.0.1/30           │         │ lo, wan0 198.18.0.2/30         │
//   └──────────────────────────────────┘         └────────────────────────────────┘
//
// 198.18.0.0/15 is the range RFC 2544 sets aside for benchmarks; it exists only inside these two
// namespaces. The process the user started builds them, runs the benchmark again inside the near
// one (the far side named in TLSBRIDGE_BENCH_FAR), passes signals on and removes both at the end.
import { execFileSync, spawn } from "node:child_process";
import { constants } from "node:os";
import { namespaceName, netnsExecArgs, removeNamespace, sweepStaleNamespaces } from "./network-namespaces.ts";
import type { Side } from "./side.ts";

const FAR_ENV = "TLSBRIDGE_BENCH_FAR";
const NEAR_ADDRESS = "198.18.0.1";
const FAR_ADDRESS = "198.18.0.2";

/** Inside the near namespace: the far side this run was started with; undefined in the outer run. */
export function farSideFromEnvironment(): Side | undefined {
  const text = process.env[FAR_ENV];
  if (text === undefined) return undefined;
  const far = JSON.parse(text) as Side;
  if (typeof far.host !== "string" || typeof far.netns !== "string") throw new Error(`${FAR_ENV} is not a side: ${text}`);
  return far;
}

/** The two namespaces of a WAN run. */
export type WanNamespaces = {
  /** The near namespace's name. */
  readonly near: string;
  /** The far side: its namespace and its address on the link. */
  readonly far: Side & { readonly netns: string };
  /** Deletes both (the link goes with them); idempotent. */
  remove(): void;
};

/** Builds the two namespaces and their link; throws (after removing what it made) on failure. */
export function createWanNamespaces(): WanNamespaces {
  sweepStaleNamespaces();
  const near = namespaceName("near");
  const far = namespaceName("far");
  const ip = (...args: string[]): void => void execFileSync("ip", args, { stdio: "pipe", timeout: 10_000 });
  try {
    ip("netns", "add", near);
    ip("netns", "add", far);
    ip("link", "add", "wan0", "netns", near, "type", "veth", "peer", "name", "wan0", "netns", far);
    for (const [ns, address] of [[near, NEAR_ADDRESS], [far, FAR_ADDRESS]] as const) {
      ip("-n", ns, "addr", "add", `${address}/30`, "dev", "wan0");
      ip("-n", ns, "link", "set", "wan0", "up");
      ip("-n", ns, "link", "set", "lo", "up");
    }
  } catch (err) {
    removeNamespace(near);
    removeNamespace(far);
    const stderr = String((err as { stderr?: Buffer }).stderr ?? "").trim();
    throw new Error(`could not build the WAN namespaces: ${stderr || (err as Error).message}`, { cause: err });
  }
  let removed = false;
  return {
    near,
    far: { host: FAR_ADDRESS, netns: far },
    remove() {
      if (removed) return;
      removed = true;
      removeNamespace(near);
      removeNamespace(far);
    },
  };
}

/**
 * Runs this same benchmark command inside the near namespace and resolves with its exit code;
 * the namespaces are removed when it ends, also when this process is interrupted or fails.
 */
export async function runInNamespaces(log: (line: string) => void): Promise<number> {
  const pair = createWanNamespaces();
  const remove = (): void => pair.remove();
  process.once("exit", remove);
  log(`network namespaces: near ${pair.near} (${NEAR_ADDRESS}), far ${pair.far.netns} (${FAR_ADDRESS}), one veth link`);
  const argv = [...process.execArgv, ...process.argv.slice(1)];
  const child = spawn("ip", netnsExecArgs(pair.near, process.execPath, argv), {
    stdio: "inherit",
    env: { ...process.env, [FAR_ENV]: JSON.stringify(pair.far) },
  });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const s of signals) process.on(s, forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
    });
  } finally {
    for (const s of signals) process.off(s, forward);
    process.off("exit", remove);
    remove();
  }
}
