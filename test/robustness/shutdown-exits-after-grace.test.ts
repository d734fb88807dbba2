// Regression (issue 9): once, after minutes of mixed traffic, an ingress logged `shutdown` on SIGTERM
// and then spun at ~94% CPU forever in Node's exit-time handle cleanup (`uv_run` in
// `Environment::RunCleanup`); only a second SIGTERM ended it. The node left exiting to the event
// loop running dry, so whatever handle was still open decided whether and when it exited. Now the
// node exits itself once the drain is over and the `shutdown` line is written, with a hard deadline
// shortly after the grace period in case the drain itself never ends, workers included. The real
// `tlsbridge` (one process, and a supervisor with two workers), SIGTERM with everything open that a
// busy node holds: cut tunnels over the warm pool and over HTTP/2, an idle warm connection, a
// client half-way through its request head, a kept-alive admin connection, the file watchers and
// the peer probe. The process must be gone within grace + 2 s of the signal. And once more with a
// log reader that stopped reading: Node's own exit then waits for ever for the log write in its
// thread pool, so the node must end itself without it.
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import net from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTlsbridge } from "../cli/run-tlsbridge.ts";
import { connectThrough } from "../helpers/connect-client.ts";
import { adminGet, openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import type { OpsWorkspace } from "../helpers/ops-nodes.ts";
import { listenOnLoopbackTracked } from "../helpers/services.ts";
import type { TrackedService } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";

const GRACE_MS = 1_000;
/** How long after the signal the process may take to be gone: the bound. */
const EXIT_DEADLINE_MS = GRACE_MS + 2_000;

let workspace: OpsWorkspace;
let silent: TrackedService;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-shutdown-exits-");
  silent = await listenOnLoopbackTracked(net.createServer((socket) => socket.on("error", () => {})));
});

afterAll(async () => {
  await silent.close();
  await workspace.close();
});

describe.each([1, 2])("SIGTERM to an ingress with workers: %i", (workers) => {
  it.skipIf(workers > 1 && process.platform !== "linux")(
    "cuts what is open at the end of the grace period and is gone within grace + 2 s",
    async () => {
      const peer = workspace.startNode("peer", await workspace.writePeerConfig(`peer-${workers}.yaml`, ["  - match: '127[.]0[.]0[.]1'", "    addresses: [127.0.0.0/8]", "shutdownGraceMs: 30000"]));
      const peerPort = portOf(await peer.waitFor("listening"));
      // localhost goes over the warm pool, 127.0.0.1 over HTTP/2 (the same peer process behind both).
      await writeFile(join(workspace.dir, "sites", `hq-${workers}.yaml`),
        "rules:\n  - match: localhost\n    peer: pooled\n  - match: '127[.]0[.]0[.]1'\n    peer: multiplexed\n  - match: silent[.]example\n    peer: silent\n");
      const config = join(workspace.dir, `ingress-${workers}.yaml`);
      await writeFile(config, [
        "listeners:",
        "  - listen: 127.0.0.1:0",
        `    rules: sites/hq-${workers}.yaml`,
        "peers:",
        `  pooled: { address: '127.0.0.1:${peerPort}', servername: localhost, mode: h1, pool: { size: 2, maxIdleMs: 60000 } }`,
        `  multiplexed: { address: '127.0.0.1:${peerPort}', servername: localhost, mode: h2 }`,
        `  silent: { address: '127.0.0.1:${silent.port}', servername: localhost }`,
        "tls: { ca: pki/ca.pem, cert: pki/ingress.pem, key: pki/ingress-key.pem }",
        "admin: { listen: '127.0.0.1:0', peerProbeIntervalMs: 200 }",
        `workers: ${workers}`,
        `shutdownGraceMs: ${GRACE_MS}`,
        "",
      ].join("\n"));
      const ingress = workspace.startNode("ingress", config);
      const admin = portOf(await ingress.waitFor("admin.listening"));
      await waitUntil(() => ingress.lines.filter((l) => l.event === "listening").length === workers, "every worker to listen", 30_000);
      const port = portOf(ingress.lines.find((l) => l.event === "listening") ?? {});
      await adminGet(admin, "/readyz");

      const { echo } = workspace;
      const tunnels = await Promise.all([
        ...[1, 2, 3].map(() => connectThrough(port, `localhost:${echo.port}`)),
        ...[1, 2, 3].map(() => connectThrough(port, `127.0.0.1:${echo.port}`)),
      ]);
      expect(tunnels.map((t) => t.status)).toEqual(Array(6).fill(200));
      for (const t of tunnels) {
        t.socket.on("error", () => {});
        t.socket.write("still here");
      }
      // A tunnel still dialing: its peer accepted TCP and never answers the TLS handshake.
      const dialing = net.connect({ port, host: "127.0.0.1" });
      dialing.on("error", () => {});
      dialing.write("CONNECT silent.example:443 HTTP/1.1\r\nHost: silent.example:443\r\n\r\n");
      await waitUntil(() => silent.openConnections() >= 1, "the ingress to dial the silent peer");
      const halfHead = net.connect({ port, host: "127.0.0.1" });
      halfHead.on("error", () => {});
      halfHead.write("CONNECT localhost:1 HTTP/1.1\r\nHost: local");
      const keptAlive = net.connect({ port: admin, host: "127.0.0.1" });
      keptAlive.on("error", () => {});
      keptAlive.write("GET /healthz HTTP/1.1\r\nHost: admin\r\n\r\n");
      await once(keptAlive, "data");

      try {
        const signalled = Date.now();
        ingress.signal("SIGTERM");
        const code = await Promise.race([
          ingress.exited,
          new Promise((resolve) => setTimeout(resolve, EXIT_DEADLINE_MS - (Date.now() - signalled), "still running")),
        ]);
        expect(code, `exit code; stderr: ${ingress.stderr()}`).not.toBe("still running");
        const closes = ingress.lines.filter((l) => l.event === "tunnel.close" && l.outcome === "aborted");
        expect(closes).toHaveLength(6);
        expect(ingress.lines.filter((l) => l.event === "shutdown")).not.toHaveLength(0);
      } finally {
        for (const socket of [dialing, halfHead, keptAlive, ...tunnels.map((t) => t.socket)]) socket.destroy();
        if (await Promise.race([ingress.exited.then(() => false), new Promise((r) => setTimeout(r, 0, true))])) {
          process.kill(ingress.pid, "SIGKILL");
        }
        await peer.stop();
      }
    },
    60_000,
  );
});

describe("SIGTERM to an ingress whose log reader stopped reading", () => {
  it("is gone within grace + 2 s all the same", async () => {
    const peerPort = 9; // never dialed: the flood below is refused before routing
    const config = await workspace.writeIngressConfig("ingress-stalled.yaml", peerPort, [`shutdownGraceMs: ${GRACE_MS}`]);
    const child = startTlsbridge(["ingress", "--config", config, "--log-level", "debug"], workspace.dir);
    const exited = once(child, "exit");
    const lines = createInterface({ input: child.stdout });
    let port = 0;
    try {
      for await (const text of lines) {
        const line = JSON.parse(text) as { event?: string; address?: string };
        if (line.event === "listening") {
          port = portOf(line);
          break;
        }
      }
      // Stop reading, then make the node log far more than the pipe holds (one line per refusal).
      lines.close();
      child.stdout.pause();
      for (let batch = 0; batch < 20; batch += 1) {
        await Promise.all(Array.from({ length: 100 }, () => new Promise<void>((resolve) => {
          const socket = net.connect({ port, host: "127.0.0.1" }, () => socket.end("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
          socket.on("error", () => resolve());
          socket.on("close", () => resolve());
          socket.resume();
        })));
      }
      const signalled = Date.now();
      child.kill("SIGTERM");
      const gone = await Promise.race([
        exited.then(() => true),
        new Promise((resolve) => setTimeout(resolve, EXIT_DEADLINE_MS - (Date.now() - signalled), false)),
      ]);
      expect(gone).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      child.stdout.destroy();
    }
  }, 60_000);
});
