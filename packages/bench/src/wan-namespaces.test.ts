// The WAN benchmark's two network namespaces (wan-namespaces.ts), built for real: the services the
// bench starts on the far side answer from the near namespace across the link and on the far side's
// own loopback (where the peer dials them), the near namespace's loopback does not lead there, and
// removing the pair leaves no namespace behind. Runs as root with `ip netns` (CI); skipped otherwise.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopChild } from "./child-processes.ts";
import { namespacesUnsupportedReason, netnsExecArgs } from "./network-namespaces.ts";
import { startServices } from "./start-services.ts";
import type { Services } from "./start-services.ts";
import { createWanNamespaces } from "./wan-namespaces.ts";
import type { WanNamespaces } from "./wan-namespaces.ts";

const skipReason = namespacesUnsupportedReason();
if (skipReason !== undefined) console.info(`skipped: WAN namespaces test: ${skipReason}`);

/** A client run inside `ns`: sends `text` to host:port and prints what the echo sends back, or the error code. */
const ECHO_CLIENT = `const [host, port, text] = process.argv.slice(1);
const s = require("node:net").connect({ host, port: Number(port) });
let back = "";
s.setTimeout(5000, () => { console.log("timeout"); process.exit(0); });
s.on("connect", () => s.write(text));
s.on("data", (d) => { back += d; if (back.length >= text.length) { console.log(back); process.exit(0); } });
s.on("error", (e) => { console.log(e.code); process.exit(0); });`;

async function echoFrom(ns: string, host: string, port: number, text: string): Promise<string> {
  const { stdout } = await promisify(execFile)("ip", netnsExecArgs(ns, process.execPath, ["-e", ECHO_CLIENT, host, String(port), text]), { timeout: 15_000 });
  return stdout.trim();
}

function namespaceNames(): string[] {
  return execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")[0] ?? "");
}

describe.skipIf(skipReason !== undefined)("the WAN run's two namespaces", () => {
  let pair: WanNamespaces;
  let services: Services;
  const workDir = mkdtempSync(join(tmpdir(), "tlsbridge-wan-ns-"));

  beforeAll(async () => {
    pair = createWanNamespaces();
    services = await startServices(workDir, pair.far);
  });
  afterAll(async () => {
    if (services !== undefined) await stopChild(services.child);
    pair?.remove();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("puts the services on the far side, reachable from the near side across the link", async () => {
    expect(pair.far.netns).not.toBe(pair.near);
    expect(await echoFrom(pair.near, pair.far.host, services.ports.echo, "across the link")).toBe("across the link");
  });

  it("lets the far side reach them on its own loopback, as the peer does", async () => {
    expect(await echoFrom(pair.far.netns, "127.0.0.1", services.ports.echo, "on far loopback")).toBe("on far loopback");
  });

  it("keeps the near side's loopback apart: nothing listens there", async () => {
    expect(await echoFrom(pair.near, "127.0.0.1", services.ports.echo, "near loopback")).toBe("ECONNREFUSED");
  });

  it("removes both namespaces", () => {
    const names = [pair.near, pair.far.netns];
    expect(namespaceNames()).toEqual(expect.arrayContaining(names));
    pair.remove();
    expect(namespaceNames().filter((n) => names.includes(n))).toEqual([]);
  });
});
