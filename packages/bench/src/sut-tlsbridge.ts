// tlsbridge itself: `tlsbridge peer` and `tlsbridge ingress` started from the repo's CLI with
// YAML configs generated here (shape: ARCHITECTURE.md "Configuration"). Skipped while the CLI is absent.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { ProcessGroup } from "./managed-process.ts";
import type { SutContext, SystemUnderTest, TargetName } from "./sut.ts";

/** packages/cli/bin/tlsbridge.ts, found from this file. */
export const TLSBRIDGE_CLI = fileURLToPath(new URL("../../cli/bin/tlsbridge.ts", import.meta.url));

/**
 * Every bench client comes from 127.0.0.1, so the per-client tunnel cap (default 256) would refuse
 * the hold scenario's 1000 tunnels: raise it to the node's cap.
 */
const PER_CLIENT_CAP = "limits: { maxTunnelsPerClient: 4096 }\n";

/**
 * The tlsbridge configurations measured: the defaults, mode h1 (one TLS connection per tunnel), h1
 * with a warm pool, mode h2 named in the config, and h1 with two workers per node.
 */
export type TlsbridgeVariant = "default" | "h1" | "pool" | "h2" | "workers";

const VARIANTS: Record<TlsbridgeVariant, { name: string; description: string; peerKeys: string; nodeKeys?: string }> = {
  default: { name: "tlsbridge", description: "tlsbridge ingress -> peer (mTLS, TLS 1.3, default settings: no `mode:`, so ALPN picks it), CONNECT", peerKeys: "" },
  h1: { name: "tlsbridge-h1", description: "tlsbridge in mode h1 (`mode: h1`): one TLS connection per tunnel, as with ATS peers", peerKeys: "    mode: h1\n" },
  workers: {
    name: "tlsbridge-workers",
    description: "tlsbridge in mode h1, with `workers: 2` on the ingress and on the peer (node:cluster, SO_REUSEPORT)",
    peerKeys: "    mode: h1\n",
    nodeKeys: "workers: 2\n",
  },
  pool: {
    name: "tlsbridge-pool",
    description: "tlsbridge in mode h1 with a warm pool per peer (`mode: h1`, `pool: { size: 8, maxIdleMs: 4000 }`)",
    peerKeys: "    mode: h1\n    pool: { size: 8, maxIdleMs: 4000 }\n",
  },
  h2: { name: "tlsbridge-h2", description: "tlsbridge in mode h2: every tunnel an HTTP/2 CONNECT stream on one mTLS connection", peerKeys: "    mode: h2\n" },
};

/** Creates a `tlsbridge` system (ingress and peer, one process each). */
export function createTlsbridge(variant: TlsbridgeVariant = "default"): SystemUnderTest {
  const v = VARIANTS[variant];
  const processes = new ProcessGroup();
  let ingressPort: number | undefined;
  let services: SutContext["services"] | undefined;
  return {
    name: v.name,
    speaksConnect: true,
    description: v.description,
    unavailable: async () => (existsSync(TLSBRIDGE_CLI) ? undefined : "the tlsbridge CLI (packages/cli/bin/tlsbridge.ts) is not there"),
    async start(ctx: SutContext) {
      const c = ctx.certs;
      services = ctx.services;
      const peerPort = await freePort();
      const peerVia = await ctx.hop(peerPort); // listening before the next free port is picked
      ingressPort = await freePort();
      const dir = join(ctx.workDir, v.name);
      mkdirSync(dir, { recursive: true });
      const ports = `[${ctx.services.echo}, ${ctx.services.sink}, ${ctx.services.source}]`;
      writeFileSync(join(dir, "peer.yaml"), `listen: ${ctx.far.host}:${peerPort}
tls: { ca: ${c.ca}, cert: ${c.serverCert}, key: ${c.serverKey} }
allow:
  - match: '127[.]0[.]0[.]1'
    ports: ${ports}
    addresses: [127.0.0.0/8]
${v.nodeKeys ?? ""}`);
      writeFileSync(join(dir, "bench-site.yaml"), `rules:
  - match: '127[.]0[.]0[.]1'
    ports: ${ports}
    peer: bench-peer
`);
      writeFileSync(join(dir, "ingress.yaml"), `listeners:
  - listen: 127.0.0.1:${ingressPort}
    rules: bench-site.yaml
peers:
  bench-peer:
    address: 127.0.0.1:${peerVia}
    servername: ${c.serverName}
${v.peerKeys}tls: { ca: ${c.ca}, cert: ${c.clientCert}, key: ${c.clientKey} }
${PER_CLIENT_CAP}${v.nodeKeys ?? ""}`);
      const node = process.execPath;
      // Extra node flags for profiling runs, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      const nodeArgs = (process.env.TLSBRIDGE_BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
      await processes.launch(`${v.name}-peer`, node, [...nodeArgs, TLSBRIDGE_CLI, "peer", "--config", join(dir, "peer.yaml")], ctx.workDir, [peerPort], ctx.far);
      await processes.launch(`${v.name}-ingress`, node, [...nodeArgs, TLSBRIDGE_CLI, "ingress", "--config", join(dir, "ingress.yaml")], ctx.workDir, [ingressPort]);
    },
    stop: () => processes.stop(),
    pids: () => processes.pids(),
    endpoint(target: TargetName) {
      if (ingressPort === undefined || !services) throw new Error("tlsbridge: not started");
      return { port: ingressPort, connectAuthority: `127.0.0.1:${services[target]}` };
    },
  };
}
