// `workers: 2`: a supervisor and two worker processes sharing the ingress's listener
// (SO_REUSEPORT). SIGKILL one worker while clients keep connecting: the kernel stops handing its
// socket connections, so at most a moment's worth fail; the replacement is logged and listens on
// the same port; the supervisor's /metrics sums every worker; SIGTERM stops them all with exit 0.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import { readToEnd, waitUntil } from "../helpers/tunnel-probe.ts";
import { adminGet, openOpsWorkspace, portOf, scrape } from "../helpers/ops-nodes.ts";
import type { OpsWorkspace } from "../helpers/ops-nodes.ts";

let workspace: OpsWorkspace;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-ops-workers-");
});

afterAll(() => workspace.close());

/** One short tunnel; true when the echo came back. */
async function tunnelWorks(port: number): Promise<boolean> {
  try {
    const tunnel = await connectThrough(port, `localhost:${workspace.echo.port}`);
    if (tunnel.status !== 200) return false;
    tunnel.socket.end("ping");
    return (await readToEnd(tunnel.socket, tunnel.rest)).data.toString() === "ping";
  } catch {
    return false;
  }
}

describe("workers: 2", () => {
  it.skipIf(process.platform !== "linux")("replaces a killed worker, losing new connections for a moment at most", async () => {
    const peer = workspace.startNode("peer", await workspace.writePeerConfig("peer.yaml", ["shutdownGraceMs: 200"]));
    const peerPort = portOf(await peer.waitFor("listening"));
    const ingress = workspace.startNode("ingress", await workspace.writeIngressConfig("ingress.yaml", peerPort, [
      "admin: { listen: '127.0.0.1:0', peerProbeIntervalMs: 200 }",
      "workers: 2",
      "shutdownGraceMs: 200",
    ]));
    const admin = portOf(await ingress.waitFor("admin.listening"));
    await waitUntil(() => ingress.lines.filter((l) => l.event === "listening").length === 2, "two workers listening");
    const listening = ingress.lines.filter((l) => l.event === "listening");
    expect(new Set(listening.map((l) => l.address)).size).toBe(1); // the same address, twice
    expect(new Set(listening.map((l) => l.pid)).size).toBe(2);
    const port = portOf(listening[0] ?? {});
    await waitUntil(async () => (await adminGet(admin, "/readyz")).status === 200, "ready");
    expect((await adminGet(admin, "/readyz")).body).toContain("workers listening: 2/2");

    const started = ingress.lines.filter((l) => l.event === "worker.started");
    expect(started.map((l) => l.worker)).toEqual([1, 2]);
    for (let i = 0; i < 10; i += 1) expect(await tunnelWorks(port)).toBe(true);

    // Kill worker 1 outright while a client keeps connecting, one tunnel after another. Regression:
    // this once counted the tunnels that succeeded within 1.5 s of the kill (more than 20 expected)
    // and failed under load with 19: a rate, not a property. What the kernel promises is an outcome:
    // only connections already queued on the dead worker's socket can fail, so a failure is possible
    // only before the supervisor has seen the worker die, never after; and the port keeps serving.
    const victim = started[0]?.workerPid as number;
    process.kill(victim, "SIGKILL");
    const exitSeen = (): boolean => ingress.lines.some((l) => l.event === "worker.exit" && l.workerPid === victim);
    const results: Array<{ afterExit: boolean; ok: boolean }> = [];
    while (results.filter((r) => r.ok).length < 20 && results.length < 200) {
      const afterExit = exitSeen();
      results.push({ afterExit, ok: await tunnelWorks(port) });
      await new Promise((r) => setTimeout(r, 10));
    }
    const failures = results.filter((r) => !r.ok);
    expect(failures.filter((f) => f.afterExit), JSON.stringify(results)).toEqual([]);
    expect(failures.length).toBeLessThanOrEqual(3);
    expect(results.filter((r) => r.ok)).toHaveLength(20);

    const exit = await ingress.waitFor("worker.exit", (l) => l.workerPid === victim);
    expect(exit).toMatchObject({ level: 40, worker: 1, signal: "SIGKILL", replaced: true });
    const replacement = await ingress.waitFor("worker.started", (l) => l.replacing === 1);
    expect(replacement.workerPid).not.toBe(victim);
    await ingress.waitFor("listening", (l) => l.pid === replacement.workerPid);
    await waitUntil(async () => (await scrape(admin)).get("tlsbridge_workers_ready") === 2, "two workers ready again");

    // The supervisor's /metrics sums the live workers' counters (the killed one's are gone with it).
    for (let i = 0; i < 20; i += 1) expect(await tunnelWorks(port)).toBe(true);
    const metrics = await scrape(admin);
    expect(metrics.get('tlsbridge_tunnels_total{outcome="done"}')).toBeGreaterThanOrEqual(20);
    expect(metrics.get("tlsbridge_worker_restarts_total")).toBe(1);
    expect(metrics.get('tlsbridge_peer_up{peer="cloud"}')).toBe(1);

    expect(await ingress.stop()).toBe(0);
    const exits = ingress.lines.filter((l) => l.event === "worker.exit" && l.replaced === false);
    expect(exits).toHaveLength(2);
    expect(ingress.lines.at(-1)?.event).toBe("shutdown");
  }, 90_000);
});
