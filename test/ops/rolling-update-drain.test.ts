// What a rolling update does to a node, with real processes since no cluster runs here (issue 12):
// SIGTERM; `/readyz` answers 503 at once, so the Service or load balancer stops sending; the
// listeners still accept for `drainDelayMs` (endpoints take a moment to follow), then close; a tunnel
// opened before the signal, and one opened during the drain delay, both finish with every byte; the
// node exits 0. The same with workers, where the supervisor waits the delay before passing SIGTERM on.
// (test/robustness/graceful-shutdown.test.ts covers the grace period cutting what is still open.)
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import type { ConnectResult } from "../helpers/connect-client.ts";
import { adminGet, openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import type { OpsWorkspace } from "../helpers/ops-nodes.ts";
import { readToEnd, waitUntil } from "../helpers/tunnel-probe.ts";

/** Long enough for the test's own requests during the delay on a loaded machine. */
const DRAIN_DELAY_MS = 15_000;

let workspace: OpsWorkspace;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-rolling-update-");
});

afterAll(() => workspace.close());

/** Whether a TCP connection to the port is refused (the listener is closed). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
  });
}

/** A tunnel to the echo service that has sent `first`; `finish(last)` ends it and resolves with all it got back. */
async function openEchoTunnel(port: number, first: string): Promise<{ tunnel: ConnectResult; finish: (last: string) => Promise<string> }> {
  const tunnel = await connectThrough(port, `localhost:${workspace.echo.port}`);
  expect(tunnel.status).toBe(200);
  const received = readToEnd(tunnel.socket, tunnel.rest);
  tunnel.socket.write(first);
  return {
    tunnel,
    finish: async (last) => {
      tunnel.socket.end(last);
      return (await received).data.toString();
    },
  };
}

describe("a rolling update's stop sequence", () => {
  it.each([1, 2])("workers: %i: 503 at once, listeners open for the drain delay, then closed; open tunnels finish", async (workers) => {
    const peer = workspace.startNode("peer", await workspace.writePeerConfig(`peer-${workers}.yaml`, ["shutdownGraceMs: 200"]));
    const peerPort = portOf(await peer.waitFor("listening"));
    const ingress = workspace.startNode("ingress", await workspace.writeIngressConfig(`ingress-${workers}.yaml`, peerPort, [
      "admin: { listen: '127.0.0.1:0', peerProbeIntervalMs: 200 }",
      `workers: ${workers}`,
      `drainDelayMs: ${DRAIN_DELAY_MS}`,
      "shutdownGraceMs: 30000",
    ]));
    const admin = portOf(await ingress.waitFor("admin.listening"));
    await waitUntil(() => ingress.lines.filter((l) => l.event === "listening").length === workers, "every worker to listen", 30_000);
    const port = portOf(ingress.lines.find((l) => l.event === "listening") ?? {});
    await waitUntil(async () => (await adminGet(admin, "/readyz")).status === 200, "ready", 30_000);
    const before = await openEchoTunnel(port, "opened before SIGTERM;");

    const signalled = performance.now();
    ingress.signal("SIGTERM");
    expect(await ingress.waitFor("signal")).toMatchObject({ signal: "SIGTERM", drainDelayMs: DRAIN_DELAY_MS });
    const readiness = await adminGet(admin, "/readyz");
    expect(readiness.status).toBe(503);
    expect(readiness.body).toContain("stopping");
    // Still accepting: an endpoint list or load balancer that has not caught up loses nothing.
    const during = await openEchoTunnel(port, "opened during the drain delay;");

    await waitUntil(() => refused(port), "the listeners to close", DRAIN_DELAY_MS + 30_000, 100);
    // The node waited at least the delay after the signal, which came after `signalled`.
    expect(performance.now() - signalled).toBeGreaterThanOrEqual(DRAIN_DELAY_MS);
    expect(await before.finish("finished after the listeners closed")).toBe("opened before SIGTERM;finished after the listeners closed");
    expect(await during.finish("finished too")).toBe("opened during the drain delay;finished too");
    expect(await ingress.exited).toBe(0);
    const closes = ingress.lines.filter((l) => l.event === "tunnel.close");
    expect(closes.map((l) => l.outcome)).toEqual(["done", "done"]);
    await peer.stop();
  });
});
