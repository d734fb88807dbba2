// A C CONNECT proxy pair: an ingress squid forwards every CONNECT to a peer squid over mTLS
// (a TLS `cache_peer`, `never_direct`), and the peer squid dials the service. tlsbridge's shape.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { ProcessGroup } from "./managed-process.ts";
import type { SutContext, SystemUnderTest, TargetName } from "./sut.ts";
import { prepareSquid, squidUnavailable } from "./squid-launch.ts";

// What both squids add to the shared lines: open access (the bench's own loopback clients), no
// access log, many descriptors, no persistent connections.
const BENCH_LINES = `http_access allow all
access_log none
max_filedescriptors 65536
client_persistent_connections off
server_persistent_connections off`;

/** Creates the `squid` system (two squid processes run with -N). */
export function createSquid(): SystemUnderTest {
  const processes = new ProcessGroup();
  let ingressPort: number | undefined;
  let services: SutContext["services"] | undefined;
  return {
    name: "squid",
    speaksConnect: true,
    description: "squid pair: ingress squid -> TLS cache_peer squid (mTLS, TLS 1.3) -> service, CONNECT",
    unavailable: async () => squidUnavailable(),
    async start(ctx: SutContext) {
      const c = ctx.certs;
      services = ctx.services;
      const peerPort = await freePort();
      const peerVia = await ctx.hop(peerPort); // listening before the next free port is picked
      ingressPort = await freePort();
      const peerDir = join(ctx.workDir, "squid-peer");
      const ingressDir = join(ctx.workDir, "squid-ingress");
      for (const d of [peerDir, ingressDir]) mkdirSync(d, { recursive: true });
      const peer = prepareSquid(peerDir, "bench-peer", `${BENCH_LINES}
https_port ${ctx.far.host}:${peerPort} tls-cert=${c.serverCert} tls-key=${c.serverKey} tls-cafile=${c.ca} clientca=${c.ca} tls-min-version=1.3`);
      const ingress = prepareSquid(ingressDir, "bench-ingress", `${BENCH_LINES}
http_port 127.0.0.1:${ingressPort}
cache_peer 127.0.0.1 parent ${peerVia} 0 no-query no-digest no-netdb-exchange name=peer tls tls-cert=${c.clientCert} tls-key=${c.clientKey} tls-cafile=${c.ca} tls-domain=${c.serverName} tls-min-version=1.3
never_direct allow all`);
      await processes.launch("squid-peer", peer.command, peer.args, ctx.workDir, [peerPort], ctx.far);
      await processes.launch("squid-ingress", ingress.command, ingress.args, ctx.workDir, [ingressPort]);
    },
    stop: () => processes.stop(),
    pids: () => processes.pids(),
    endpoint(target: TargetName) {
      if (ingressPort === undefined || !services) throw new Error("squid: not started");
      return { port: ingressPort, connectAuthority: `127.0.0.1:${services[target]}` };
    },
  };
}
