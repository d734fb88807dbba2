// Regression (issue 9): with 20 bulk tunnels running, one rule-file edit was applied twice (the
// operator's SIGHUP and the file watcher each ran a full reload, two `config.reloaded` lines), and
// each reload took 0.3-3 s instead of 10-15 ms: the loaders read files with fs/promises, and every
// step of a read (open, stat, read, close) waited for a turn of an event loop busy moving bulk data.
// Now a reload that would read exactly what the last one read is skipped (`config.unchanged`), and
// the loaders read the small config files synchronously. The real `tlsbridge` ingress and peer,
// 20 tunnels downloading as fast as loopback allows; the test waits on log lines, never on speed.
import net from "node:net";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough } from "../helpers/connect-client.ts";
import type { ConnectResult } from "../helpers/connect-client.ts";
import { openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import type { OpsWorkspace } from "../helpers/ops-nodes.ts";
import { listenOnLoopbackTracked } from "../helpers/services.ts";
import type { TrackedService } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";

const BULK_TUNNELS = 20;
const REACTIONS = ["config.reloaded", "config.unchanged", "config.rejected"];

let workspace: OpsWorkspace;
let source: TrackedService;

beforeAll(async () => {
  workspace = await openOpsWorkspace("tlsbridge-ops-reload-load-");
  // Writes 256 KiB blocks for as long as the reader keeps up: a bulk download per connection.
  const block = Buffer.alloc(256 * 1024, 7);
  source = await listenOnLoopbackTracked(net.createServer((socket) => {
    socket.on("error", () => {});
    const pump = (): void => {
      while (!socket.destroyed && socket.write(block));
    };
    socket.on("drain", pump);
    pump();
  }));
});

afterAll(async () => {
  await source.close();
  await workspace.close();
});

describe("a rule-file edit while 20 bulk tunnels run", () => {
  it("is one reload though SIGHUP follows the edit, and the new rule routes", async () => {
    const { dir, echo } = workspace;
    const peer = workspace.startNode("peer", await workspace.writePeerConfig("peer.yaml", ["  - match: '127[.]0[.]0[.]1'", "    addresses: [127.0.0.0/8]", "shutdownGraceMs: 200"]));
    const peerPort = portOf(await peer.waitFor("listening"));
    const ingress = workspace.startNode("ingress", await workspace.writeIngressConfig("ingress.yaml", peerPort, ["shutdownGraceMs: 200"]));
    const port = portOf(await ingress.waitFor("listening"));

    // Opened together, then read: a CONNECT made while the others already stream waits its turn.
    const bulk: ConnectResult[] = await Promise.all(Array.from({ length: BULK_TUNNELS }, () => connectThrough(port, `localhost:${source.port}`)));
    expect(bulk.map((t) => t.status)).toEqual(Array(BULK_TUNNELS).fill(200));
    let received = 0;
    for (const tunnel of bulk) {
      tunnel.socket.on("error", () => {});
      tunnel.socket.on("data", (chunk: Buffer) => (received += chunk.length));
      tunnel.socket.resume();
    }
    try {
      await waitUntil(() => received >= BULK_TUNNELS * 4 * 1024 * 1024, "the bulk downloads to be under way", 60_000);
      expect((await connectThrough(port, `127.0.0.1:${echo.port}`)).status).toBe(403);

      // The edit as editors and config managers make it (write beside, rename over), then SIGHUP.
      const mark = ingress.lines.length;
      const after = (l: { event?: string }): boolean => ingress.lines.indexOf(l) >= mark;
      await writeFile(join(dir, "sites", "hq.next"), "rules:\n  - match: localhost\n    peer: cloud\n  - match: '127[.]0[.]0[.]1'\n    peer: cloud\n");
      await rename(join(dir, "sites", "hq.next"), join(dir, "sites", "hq.yaml"));
      ingress.signal("SIGHUP");

      // Two triggers (the signal, the watcher): each gets one answer, in whichever order they came.
      await ingress.waitFor("config.reloaded", after, 60_000);
      await waitUntil(() => ingress.lines.filter((l) => after(l) && REACTIONS.includes(l.event ?? "")).length >= 2,
        "the second trigger to be answered", 60_000);
      const reactions = ingress.lines.filter((l) => after(l) && REACTIONS.includes(l.event ?? ""));
      expect(reactions.map((l) => l.event).sort()).toEqual(["config.reloaded", "config.unchanged"]);

      const routed = await connectThrough(port, `127.0.0.1:${echo.port}`);
      expect(routed.status).toBe(200);
      routed.socket.destroy();
      expect(bulk.every((t) => !t.socket.destroyed)).toBe(true); // the reload left the open tunnels alone
    } finally {
      for (const tunnel of bulk) tunnel.socket.destroy();
    }
  }, 120_000);
});
