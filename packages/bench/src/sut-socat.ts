// A plain TCP relay (socat, one forked process per connection): what a hop costs with no TLS
// and no CONNECT. One listener per target, since a relay has a fixed destination.

import { ProcessGroup } from "./managed-process.ts";
import { RELAY_TARGETS, RelayPorts } from "./relay-ports.ts";
import type { SutContext, SystemUnderTest, TargetName } from "./sut.ts";
import { which } from "./tools.ts";

/** Creates the `socat` system. */
export function createSocat(): SystemUnderTest {
  const processes = new ProcessGroup();
  const ports = new RelayPorts("socat");
  return {
    name: "socat",
    speaksConnect: false,
    description: "socat TCP relay (`fork`, `-b 65536`, TCP_NODELAY), no TLS, no CONNECT",
    unavailable: async () => (which("socat") ? undefined : "socat is not installed"),
    async start(ctx: SutContext) {
      const socat = which("socat") as string;
      for (const target of RELAY_TARGETS) {
        const port = await ports.pick(target);
        const args = ["-b", "65536",
          `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork,backlog=4096,nodelay`,
          `TCP:${ctx.far.host}:${ctx.services[target]},nodelay`];
        await processes.launch(`socat-${target}`, socat, args, ctx.workDir, [port]);
      }
    },
    stop: () => processes.stop(),
    pids: () => processes.pids(),
    endpoint: (target: TargetName) => ports.endpoint(target),
  };
}
