// A C TLS relay pair: client stunnel -> server stunnel over mTLS (TLS 1.3) -> service. It has
// the same two hops and handshake as tlsbridge but no CONNECT: one section per target.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { ProcessGroup } from "./managed-process.ts";
import { RELAY_TARGETS, RelayPorts } from "./relay-ports.ts";
import type { SutContext, SystemUnderTest, TargetName } from "./sut.ts";
import { which } from "./tools.ts";

const GLOBAL = `foreground = yes
pid =
syslog = no
debug = 3
`;

/** Creates the `stunnel` system (two stunnel processes). */
export function createStunnel(): SystemUnderTest {
  const processes = new ProcessGroup();
  const ports = new RelayPorts("stunnel");
  return {
    name: "stunnel",
    speaksConnect: false,
    description: "stunnel pair: client stunnel -> server stunnel, mTLS, TLS 1.3, no CONNECT",
    unavailable: async () => (which("stunnel4") ?? which("stunnel") ? undefined : "stunnel4 is not installed"),
    async start(ctx: SutContext) {
      const stunnel = (which("stunnel4") ?? which("stunnel")) as string;
      const c = ctx.certs;
      let clientConf = GLOBAL;
      let serverConf = GLOBAL;
      const listenPorts: number[] = [];
      const innerPorts: number[] = [];
      for (const target of RELAY_TARGETS) {
        // The hop (a delay line in the WAN run) listens before the next free port is picked, so
        // that port cannot be the one the hop just took.
        const inner = await freePort();
        const via = await ctx.hop(inner);
        const outer = await ports.pick(target);
        listenPorts.push(outer);
        innerPorts.push(inner);
        clientConf += `
[${target}]
client = yes
accept = 127.0.0.1:${outer}
connect = 127.0.0.1:${via}
cert = ${c.clientCert}
key = ${c.clientKey}
CAfile = ${c.ca}
verifyChain = yes
checkHost = ${c.serverName}
sslVersionMin = TLSv1.3
socket = l:TCP_NODELAY=1
socket = r:TCP_NODELAY=1
`;
        serverConf += `
[${target}]
accept = ${ctx.far.host}:${inner}
connect = 127.0.0.1:${ctx.services[target]}
cert = ${c.serverCert}
key = ${c.serverKey}
CAfile = ${c.ca}
verifyChain = yes
requireCert = yes
sslVersionMin = TLSv1.3
socket = l:TCP_NODELAY=1
socket = r:TCP_NODELAY=1
`;
      }
      const serverPath = join(ctx.workDir, "stunnel-server.conf");
      const clientPath = join(ctx.workDir, "stunnel-client.conf");
      writeFileSync(serverPath, serverConf);
      writeFileSync(clientPath, clientConf);
      await processes.launch("stunnel-server", stunnel, [serverPath], ctx.workDir, innerPorts, ctx.far);
      await processes.launch("stunnel-client", stunnel, [clientPath], ctx.workDir, listenPorts);
    },
    stop: () => processes.stop(),
    pids: () => processes.pids(),
    endpoint: (target: TargetName) => ports.endpoint(target),
  };
}
