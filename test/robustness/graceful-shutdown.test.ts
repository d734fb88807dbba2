// Graceful shutdown: close(grace) stops accepting at once, lets the open transfers finish (and
// returns as soon as they have), then cuts whatever is still open when the grace period ends, with
// a reset and a logged `tunnel.close` (outcome aborted). The same through the real program: SIGTERM
// to a running `tlsbridge ingress` during 10 transfers lets them all complete, then it exits 0.
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import type { ConnectResult } from "../helpers/connect-client.ts";
import { writeTestPki } from "../helpers/pki.ts";
import { startCountUntilFinService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { readToEnd, waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";
import { startTlsbridge } from "../cli/run-tlsbridge.ts";

const MiB = 1024 * 1024;
const TRANSFERS = 10;
const UPLOAD = 8 * MiB;
/** A grace period the test never reaches (its own timeout is 90 s). */
const GRACE_LONGER_THAN_THE_TEST_MS = 600_000;

/**
 * Uploads `UPLOAD` bytes at a steady pace (256 KiB every 5 ms), then FIN; resolves with the
 * service's answer (`received N bytes`). `sent()` tells how far it got.
 */
function paceUpload(tunnel: ConnectResult) {
  let sent = 0;
  const answer = readToEnd(tunnel.socket, tunnel.rest);
  const chunk = Buffer.alloc(256 * 1024, 3);
  const done = (async () => {
    while (sent < UPLOAD) {
      if (!tunnel.socket.write(chunk)) await new Promise((resolve) => tunnel.socket.once("drain", resolve));
      sent += chunk.length;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    tunnel.socket.end();
    const { data, ended, error } = await answer;
    return { text: data.toString(), ended, error };
  })();
  return { sent: () => sent, done };
}

function refusedConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
  });
}

describe("close(grace) with open tunnels", () => {
  let service: TestService;
  let nodes: TwoNodes | undefined;
  beforeAll(async () => {
    service = await startCountUntilFinService();
  });
  afterAll(async () => {
    await nodes?.close();
    await service.close();
  });

  it(`lets ${TRANSFERS} active transfers complete, refuses new clients, returns as soon as they are done`, async () => {
    nodes = await startTwoNodes();
    const tunnels = await Promise.all(Array.from({ length: TRANSFERS }, () => connectThrough(nodes!.ingressPort, `localhost:${service.port}`)));
    expect(tunnels.map((t) => t.status)).toEqual(Array(TRANSFERS).fill(200));
    const uploads = tunnels.map(paceUpload);
    await waitUntil(() => uploads.every((u) => u.sent() >= MiB), "every transfer to be under way");

    // The grace period is far longer than the test may run: close() resolving at all shows that it
    // returned once the transfers were done. (It used to assert "under 10 s" of a 10 s grace: a
    // speed, and one a loaded machine could miss without anything being wrong.)
    const closed = nodes.ingress.close(GRACE_LONGER_THAN_THE_TEST_MS);
    expect(await refusedConnect(nodes.ingressPort)).toBe("ECONNREFUSED");
    expect(uploads.some((u) => u.sent() < UPLOAD)).toBe(true); // still transferring when close began

    const results = await Promise.all(uploads.map((u) => u.done));
    for (const r of results) expect(r).toEqual({ text: `received ${UPLOAD} bytes`, ended: "end", error: undefined });
    await closed; // did not sit out the grace period
    const closes = nodes.ingressLog.events("tunnel.close");
    expect(closes).toHaveLength(TRANSFERS);
    for (const c of closes) expect(c).toMatchObject({ outcome: "done", bytesUp: UPLOAD });
  }, 90_000);

  it("cuts tunnels still open at the end of the grace period with a reset, logging them before close() returns", async () => {
    const quiet = await startTwoNodes();
    try {
      const idle = await Promise.all([1, 2].map(() => connectThrough(quiet.ingressPort, `localhost:${service.port}`)));
      const ends = idle.map((t) => readToEnd(t.socket, t.rest));
      const started = performance.now();
      await quiet.ingress.close(300);
      // It waited for the grace period (load only delays timers, so this lower bound holds); that it
      // returned at all shows the cut: idle tunnels never end on their own. No upper bound: how late
      // a timer fires on a loaded machine is not this test's business.
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      // Logged before close() resolved: a process exiting right after still has the lines.
      expect(quiet.ingressLog.events("tunnel.close").map((l) => l.outcome)).toEqual(["aborted", "aborted"]);
      for (const end of await Promise.all(ends)) expect(end.error?.code).toBe("ECONNRESET");
      expect(quiet.ingress.activeConnections()).toBe(0);
    } finally {
      await quiet.close();
    }
  });
});

describe("SIGTERM to the real tlsbridge ingress", () => {
  let dir: string;
  let nodes: TwoNodes;
  let service: TestService;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tlsbridge-sigterm-"));
    service = await startCountUntilFinService();
    nodes = await startTwoNodes(); // the peer; the in-process ingress is not used
  });
  afterAll(async () => {
    await nodes.close();
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`lets ${TRANSFERS} transfers complete, then exits 0`, async () => {
    const pki = await writeTestPki(join(dir, "pki"));
    await writeFile(join(dir, "site.yaml"), "rules:\n  - match: localhost\n    peer: cloud\n");
    await writeFile(join(dir, "ingress.yaml"), [
      "listeners:",
      "  - listen: 127.0.0.1:0",
      "    rules: site.yaml",
      "peers:",
      `  cloud: { address: '127.0.0.1:${nodes.peer.port}', servername: localhost }`,
      `tls: { ca: ${pki.ca.cert}, cert: ${pki.ingress.cert}, key: ${pki.ingress.key} }`,
      "shutdownGraceMs: 20000",
      "",
    ].join("\n"));
    const child = startTlsbridge(["ingress", "--config", join(dir, "ingress.yaml")], dir);
    const exited = once(child, "exit").then(([code]) => code as number | null);
    const lines: Array<Record<string, unknown>> = [];
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    createInterface({ input: child.stdout }).on("line", (text) => lines.push(JSON.parse(text) as Record<string, unknown>));
    try {
      await waitUntil(() => lines.some((l) => l.event === "listening") || child.exitCode !== null, "the ingress to listen", 15_000);
      const listening = lines.find((l) => l.event === "listening");
      expect(listening, stderr).toBeDefined();
      const port = Number(String(listening?.address).split(":").at(-1));

      const tunnels = await Promise.all(Array.from({ length: TRANSFERS }, () => connectThrough(port, `localhost:${service.port}`)));
      expect(tunnels.map((t) => t.status)).toEqual(Array(TRANSFERS).fill(200));
      const uploads = tunnels.map(paceUpload);
      await waitUntil(() => uploads.every((u) => u.sent() >= MiB), "every transfer to be under way");
      child.kill("SIGTERM");
      await waitUntil(() => lines.some((l) => l.event === "signal"), "the signal to be logged");
      expect(uploads.some((u) => u.sent() < UPLOAD)).toBe(true);

      const results = await Promise.all(uploads.map((u) => u.done));
      for (const r of results) expect(r.text).toBe(`received ${UPLOAD} bytes`);
      expect(await exited).toBe(0);
      const events = lines.map((l) => l.event);
      expect(events.filter((e) => e === "tunnel.close")).toHaveLength(TRANSFERS);
      expect(lines.filter((l) => l.event === "tunnel.close").every((l) => l.outcome === "done")).toBe(true);
      expect(events.at(-1)).toBe("shutdown");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 90_000);
});
