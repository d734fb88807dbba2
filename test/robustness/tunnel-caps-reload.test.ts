// The tunnel caps follow a reload (they used to need a restart): raised caps admit new tunnels at
// once; lowered ones refuse new tunnels while the open ones, above the new cap, keep running.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";

describe("tunnel caps on reload", () => {
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
  });
  afterAll(async () => {
    await echo.close();
  });

  it("ingress maxTunnelsPerClient: raised, then lowered, without cutting open tunnels", async () => {
    const nodes = await startTwoNodes({ ingressLimits: { maxTunnelsPerClient: 1 } });
    const open = [];
    try {
      open.push(await connectThrough(nodes.ingressPort, `localhost:${echo.port}`));
      expect(open[0]?.status).toBe(200);
      const refused = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
      expect(refused.status).toBe(503);
      refused.socket.destroy();
      nodes.ingress.reload({ ...nodes.ingressOptions, limits: { ...nodes.ingressOptions.limits, maxTunnelsPerClient: 3 } });
      for (let i = 0; i < 2; i++) open.push(await connectThrough(nodes.ingressPort, `localhost:${echo.port}`));
      expect(open.map((t) => t.status)).toEqual([200, 200, 200]);
      nodes.ingress.reload({ ...nodes.ingressOptions, limits: { ...nodes.ingressOptions.limits, maxTunnelsPerClient: 1 } });
      const lowered = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
      expect(lowered.status).toBe(503);
      lowered.socket.destroy();
      expect(nodes.ingress.activeConnections()).toBe(3);
    } finally {
      for (const t of open) t.socket.destroy();
      await nodes.close();
    }
  });

  it("peer maxTunnelsPerIngress: raised on reload", async () => {
    const nodes = await startTwoNodes({ peerLimits: { maxTunnelsPerIngress: 1 } });
    const open = [];
    try {
      open.push(await connectThrough(nodes.ingressPort, `localhost:${echo.port}`));
      const refused = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
      expect(refused.status).toBe(503);
      refused.socket.destroy();
      nodes.peer.reload({ ...nodes.peerOptions, limits: { ...nodes.peerOptions.limits, maxTunnelsPerIngress: 2 } });
      open.push(await connectThrough(nodes.ingressPort, `localhost:${echo.port}`));
      expect(open.map((t) => t.status)).toEqual([200, 200]);
    } finally {
      for (const t of open) t.socket.destroy();
      await nodes.close();
    }
  });
});
