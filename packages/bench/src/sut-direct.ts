// The floor: the client connects straight to the service. No process of its own, so no CPU or
// memory figures; its rate and throughput bound what the generator and services can do here.

import type { ServicePorts } from "./start-services.ts";
import type { SutContext, SystemUnderTest, TargetName } from "./sut.ts";

/** Creates the `direct` system. */
export function createDirect(): SystemUnderTest {
  let services: ServicePorts | undefined;
  return {
    name: "direct",
    speaksConnect: false,
    description: "no proxy: the client connects straight to the service",
    unavailable: async () => undefined,
    async start(ctx: SutContext) {
      // In the WAN run this is one plain TCP connection across the same path, the baseline.
      services = {
        echo: await ctx.hop(ctx.services.echo),
        sink: await ctx.hop(ctx.services.sink),
        source: await ctx.hop(ctx.services.source),
      };
    },
    async stop() {},
    pids: () => [],
    endpoint(target: TargetName) {
      if (!services) throw new Error("direct: not started");
      return { port: services[target] };
    },
  };
}
