// Started as root with `user: nobody`, a node reads its keys (root-only files), binds its listeners
// (port 443 included) and then runs as nobody (issue 12): /proc shows the new uid and gid, tunnels
// flow, a reload that needs a file nobody cannot read is rejected with that reason and applies once
// the file is readable. With workers the supervisor switches before it starts them, so every
// process of the node runs as nobody. Root without `user:` is warned about. Needs root: skipped otherwise.
import { execFile } from "node:child_process";
import { chmod, chown, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openOpsWorkspace, portOf } from "../helpers/ops-nodes.ts";
import type { OpsNode, OpsWorkspace } from "../helpers/ops-nodes.ts";
import { startHttpService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";

const run = promisify(execFile);
const root = process.getuid?.() === 0;
const NOBODY = 65534;

let workspace: OpsWorkspace;
let service: TestService;

beforeAll(async () => {
  if (!root) return;
  workspace = await openOpsWorkspace("tlsbridge-privilege-drop-");
  service = await startHttpService();
  // nobody may walk to the configs and read them and the certificates; the keys stay root's (0600).
  for (const dir of [workspace.dir, join(workspace.dir, "pki"), join(workspace.dir, "sites")]) await chmod(dir, 0o755);
  for (const name of ["ca.pem", "peer.pem", "ingress.pem"]) await chmod(join(workspace.dir, "pki", name), 0o644);
  for (const name of ["peer-key.pem", "ingress-key.pem"]) await chmod(join(workspace.dir, "pki", name), 0o600);
});

afterAll(async () => {
  if (!root) return;
  await workspace.close();
  await service.close();
});

/** uid, gid (real, effective, saved, filesystem) and supplementary groups of a process, from /proc. */
async function identity(pid: number): Promise<{ uid: number[]; gid: number[]; groups: number[] }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const numbers = (key: string): number[] =>
    (status.match(new RegExp(`^${key}:(.*)$`, "m"))?.[1] ?? "").trim().split(/\s+/).filter((s) => s !== "").map(Number);
  return { uid: numbers("Uid"), gid: numbers("Gid"), groups: numbers("Groups") };
}

/** curl through the ingress to the HTTP service. */
async function curlThrough(ingressPort: number, path: string): Promise<string> {
  const { stdout } = await run("curl", ["-sS", "--max-time", "10", "-p", "-x", `http://127.0.0.1:${ingressPort}`, `http://localhost:${service.port}${path}`]);
  return stdout;
}

/** The workspace's ingress config (site hq: localhost to peer `cloud` at `peerAddress`), readable by nobody. */
async function writeIngress(name: string, peerAddress: string, extra: readonly string[]): Promise<string> {
  const file = await workspace.writeIngressConfig(name, peerAddress, ["shutdownGraceMs: 200", ...extra]);
  for (const path of [file, join(workspace.dir, "sites", "hq.yaml")]) await chmod(path, 0o644);
  return file;
}

/** The next `event` line after the first `from` lines. */
function next(node: OpsNode, event: string, from: number): Promise<Record<string, unknown>> {
  return node.waitFor(event, (l) => node.lines.indexOf(l) >= from, 30_000);
}

describe.skipIf(!root)("privilege drop (as root)", () => {
  it("a peer on port 443 with user: nobody serves tunnels as nobody; a reload needing a root-only key is rejected with the reason", async () => {
    // A loopback address of its own, so port 443 is free whatever else runs on this machine.
    const host = `127.${10 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    const peerConfig = await workspace.writePeerConfig("peer.yaml", ["user: nobody", "watchFiles: false", "shutdownGraceMs: 200"], `${host}:443`);
    await chmod(peerConfig, 0o644);
    const peer = workspace.startNode("peer", peerConfig);
    expect(portOf(await peer.waitFor("listening"))).toBe(443);
    const dropped = await peer.waitFor("privileges.dropped");
    expect(dropped).toMatchObject({ user: "nobody", uid: NOBODY, gid: NOBODY, unreadable: [join(workspace.dir, "pki", "peer-key.pem")] });
    expect(await identity(peer.pid)).toEqual({ uid: [NOBODY, NOBODY, NOBODY, NOBODY], gid: [NOBODY, NOBODY, NOBODY, NOBODY], groups: [NOBODY] });
    expect(peer.lines.some((l) => l.event === "privileges.root")).toBe(false);

    const ingress = workspace.startNode("ingress", await writeIngress("ingress.yaml", `${host}:443`, []));
    const ingressPort = portOf(await ingress.waitFor("listening"));
    // Root without `user:` keeps every privilege: it says so.
    expect(await ingress.waitFor("privileges.root")).toMatchObject({ level: 40 });
    expect(await curlThrough(ingressPort, "/as-nobody")).toBe("hello from /as-nobody");

    // The key is root's: nobody cannot read it again, so the reload is refused and says why.
    let from = peer.lines.length;
    peer.signal("SIGHUP");
    const rejected = await next(peer, "config.rejected", from);
    expect(rejected.errors).toEqual([expect.stringMatching(/peer[.]yaml:2:\d+: cannot read .*peer-key[.]pem: permission denied to user nobody$/)]);
    expect(await curlThrough(ingressPort, "/still-served")).toBe("hello from /still-served");

    // Made readable by nobody: the next reload applies.
    await chown(join(workspace.dir, "pki", "peer-key.pem"), NOBODY, NOBODY);
    from = peer.lines.length;
    peer.signal("SIGHUP");
    await next(peer, "config.reloaded", from);
    expect(await curlThrough(ingressPort, "/after-reload")).toBe("hello from /after-reload");
    expect(await peer.stop()).toBe(0);
    expect(await ingress.stop()).toBe(0);
  });

  it("with workers: 2 the supervisor and every worker run as nobody", async () => {
    const peer = workspace.startNode("peer", await workspace.writePeerConfig("peer-workers.yaml", ["shutdownGraceMs: 200"]));
    const peerPort = portOf(await peer.waitFor("listening"));
    await chown(join(workspace.dir, "pki", "ingress-key.pem"), NOBODY, NOBODY);
    const ingress = workspace.startNode("ingress", await writeIngress("ingress-workers.yaml", `127.0.0.1:${peerPort}`, [
      "workers: 2",
      "user: nobody",
      "group: nogroup",
    ]));
    await waitUntil(() => ingress.lines.filter((l) => l.event === "listening").length === 2, "two workers listening", 30_000);
    const dropped = await ingress.waitFor("privileges.dropped");
    expect(dropped).toMatchObject({ pid: ingress.pid, user: "nobody", group: "nogroup", unreadable: [] });
    const workers = ingress.lines.filter((l) => l.event === "worker.started").map((l) => l.workerPid as number);
    expect(workers).toHaveLength(2);
    for (const pid of [ingress.pid, ...workers]) expect((await identity(pid)).uid).toEqual([NOBODY, NOBODY, NOBODY, NOBODY]);
    const port = portOf(ingress.lines.find((l) => l.event === "listening") ?? {});
    expect(await curlThrough(port, "/workers")).toBe("hello from /workers");
    expect(await ingress.stop()).toBe(0);
    expect(await peer.stop()).toBe(0);
  });

  it("with workers: 2 a key the workers could not read stops the start with the file named", async () => {
    await chown(join(workspace.dir, "pki", "ingress-key.pem"), 0, 0);
    const ingress = workspace.startNode("ingress", await writeIngress("ingress-unreadable.yaml", "127.0.0.1:9", ["workers: 2", "user: nobody"]));
    expect(await ingress.exited).toBe(1);
    expect(ingress.stderr()).toContain(`the workers run as nobody and cannot read ${join(workspace.dir, "pki", "ingress-key.pem")}`);
    expect(ingress.lines.some((l) => l.event === "worker.started")).toBe(false);
  });
});
