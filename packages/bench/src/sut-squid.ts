// A C CONNECT proxy pair: an ingress squid forwards every CONNECT to a peer squid over mTLS
// (a TLS `cache_peer`, `never_direct`), and the peer squid dials the service. tlsbridge's shape.

import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { ProcessGroup } from "./managed-process.ts";
import type { SutContext, SystemUnderTest, TargetName } from "./sut.ts";
import { squidHasOpenssl, which } from "./tools.ts";

// Shared by both squids: no caching, no access log, no DNS wait, quick shutdown, many descriptors.
function common(dir: string, name: string): string {
  return `visible_hostname bench-${name}
http_access allow all
cache deny all
cache_mem 8 MB
access_log none
cache_store_log none
cache_log ${join(dir, "cache.log")}
pid_filename ${join(dir, "squid.pid")}
coredump_dir ${dir}
shutdown_lifetime 0 seconds
max_filedescriptors 65536
client_persistent_connections off
server_persistent_connections off
`;
}

/** Creates the `squid` system (two squid processes run with -N). */
export function createSquid(): SystemUnderTest {
  const processes = new ProcessGroup();
  let ingressPort: number | undefined;
  let services: SutContext["services"] | undefined;
  return {
    name: "squid",
    speaksConnect: true,
    description: "squid pair: ingress squid -> TLS cache_peer squid (mTLS, TLS 1.3) -> service, CONNECT",
    async unavailable() {
      const squid = which("squid");
      if (!squid) return "squid is not installed";
      if (!squidHasOpenssl(squid)) return "squid is built without OpenSSL: install Debian's squid-openssl";
      return undefined;
    },
    async start(ctx: SutContext) {
      const squid = which("squid") as string;
      const c = ctx.certs;
      services = ctx.services;
      const peerPort = await freePort();
      const peerVia = await ctx.hop(peerPort); // listening before the next free port is picked
      ingressPort = await freePort();
      // squid drops root to the `proxy` user: its dirs must be writable by it.
      const peerDir = join(ctx.workDir, "squid-peer");
      const ingressDir = join(ctx.workDir, "squid-ingress");
      for (const d of [peerDir, ingressDir]) {
        mkdirSync(d, { recursive: true });
        chmodSync(d, 0o777);
      }
      const peerConf = `${common(peerDir, "peer")}
https_port 127.0.0.1:${peerPort} tls-cert=${c.serverCert} tls-key=${c.serverKey} tls-cafile=${c.ca} clientca=${c.ca} tls-min-version=1.3
`;
      const ingressConf = `${common(ingressDir, "ingress")}
http_port 127.0.0.1:${ingressPort}
cache_peer 127.0.0.1 parent ${peerVia} 0 no-query no-digest no-netdb-exchange name=peer tls tls-cert=${c.clientCert} tls-key=${c.clientKey} tls-cafile=${c.ca} tls-domain=${c.serverName} tls-min-version=1.3
never_direct allow all
`;
      const peerPath = join(peerDir, "squid.conf");
      const ingressPath = join(ingressDir, "squid.conf");
      writeFileSync(peerPath, peerConf);
      writeFileSync(ingressPath, ingressConf);
      await processes.launch("squid-peer", squid, ["-N", "-f", peerPath], ctx.workDir, [peerPort]);
      await processes.launch("squid-ingress", squid, ["-N", "-f", ingressPath], ctx.workDir, [ingressPort]);
    },
    stop: () => processes.stop(),
    pids: () => processes.pids(),
    endpoint(target: TargetName) {
      if (ingressPort === undefined || !services) throw new Error("squid: not started");
      return { port: ingressPort, connectAuthority: `127.0.0.1:${services[target]}` };
    },
  };
}
