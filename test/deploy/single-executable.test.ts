// `npm run build` makes one file to install (issue 12): the single executable runs with no Node, no
// npm and no repository. Built here into a temp folder, unpacked from its .tar.gz into an empty
// folder, run with an empty PATH: --version, pki init, a peer (with two workers, which node:cluster
// starts from the executable itself) and an ingress, curl through them; pretty logs too.
// Slow (about 15-60 s, mostly the build: it copies and injects a 120 MiB Node binary); the other
// tests run the sources, so this is the only one that builds.
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../cli/run-tlsbridge.ts";
import { which } from "@tlsbridge/bench";
import { followNode, portOf } from "../helpers/ops-nodes.ts";
import type { OpsNode } from "../helpers/ops-nodes.ts";
import { startHttpService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";

const run = promisify(execFile);
const linuxX64 = process.platform === "linux" && process.arch === "x64";
const curl = which("curl") ?? "curl";
const version = (JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

let temp: string;
/** The unpacked archive: the executable and what ships with it, nothing else. */
let home: string;
let exe: string;
let service: TestService;
const nodes: OpsNode[] = [];
/** No PATH to find a node on: the executable must need none. */
const bare = (): NodeJS.ProcessEnv => ({ PATH: join(temp, "empty-path") });

beforeAll(async () => {
  if (!linuxX64) return;
  temp = await mkdtemp(join(tmpdir(), "tlsbridge-sea-"));
  await mkdir(join(temp, "empty-path"));
  await run(process.execPath, [join(REPO_ROOT, "scripts", "build-sea.ts"), join(temp, "dist")], { cwd: REPO_ROOT, timeout: 170_000 });
  home = join(temp, "installed");
  await mkdir(home);
  await run("tar", ["-xzf", join(temp, "dist", `tlsbridge-${version}-linux-x64.tar.gz`), "-C", home, "--strip-components=1"]);
  exe = join(home, "tlsbridge");
  service = await startHttpService();
}, 180_000);

afterAll(async () => {
  if (!linuxX64) return;
  for (const node of nodes) await node.stop();
  await service.close();
  await rm(temp, { recursive: true, force: true });
});

/** Starts `tlsbridge ...args` from the unpacked archive, in its folder, with no PATH. */
function startExecutable(args: readonly string[]): OpsNode {
  const node = followNode(spawn(exe, args, { cwd: home, env: bare(), stdio: ["ignore", "pipe", "pipe"] }));
  nodes.push(node);
  return node;
}

describe.skipIf(!linuxX64)("the single executable", () => {
  it("ships with the configs, the deployment files, the docs and the bash completion", async () => {
    expect(readdirSync(home).sort()).toEqual(["README.md", "completions", "configs", "deploy", "docs", "tlsbridge"]);
    const completion = join(home, "completions", "tlsbridge.bash");
    expect(readFileSync(completion, "utf8")).toBe((await run(exe, ["completion", "bash"], { cwd: home, env: bare() })).stdout);
    // Sourced by bash, it registers completion for the command.
    expect((await run("bash", ["-c", `source ${completion} && complete -p tlsbridge`])).stdout).toMatch(/ tlsbridge\n$/);
    const mib = (path: string): string => (statSync(path).size / 1024 / 1024).toFixed(1);
    console.log(`single executable: ${mib(exe)} MiB; archive: ${mib(join(temp, "dist", `tlsbridge-${version}-linux-x64.tar.gz`))} MiB`);
  });

  it("prints its version with no Node on the PATH", async () => {
    const started = performance.now();
    const { stdout } = await run(exe, ["--version"], { cwd: home, env: bare() });
    console.log(`single executable: --version took ${Math.round(performance.now() - started)} ms`);
    expect(stdout).toBe(`${version}\n`);
  });

  it("makes a PKI, runs a peer with two workers and an ingress, and carries curl through them", async () => {
    await run(exe, ["pki", "init", "pki"], { cwd: home, env: bare() });
    await writeFile(join(home, "peer.yaml"), [
      "listen: 127.0.0.1:0",
      "tls: { ca: pki/ca.pem, cert: pki/peer.pem, key: pki/peer-key.pem }",
      "allow:",
      "  - match: localhost",
      "    addresses: [127.0.0.0/8, '::1']",
      "workers: 2",
      "shutdownGraceMs: 200",
      "",
    ].join("\n"));
    const peer = startExecutable(["peer", "--config", "peer.yaml"]);
    const peerPort = portOf(await peer.waitFor("listening", undefined, 30_000));
    await writeFile(join(home, "hq.yaml"), "rules:\n  - match: localhost\n    peer: cloud\n");
    await writeFile(join(home, "ingress.yaml"), [
      "listeners:",
      "  - listen: 127.0.0.1:0",
      "    rules: hq.yaml",
      "peers:",
      `  cloud: { address: '127.0.0.1:${peerPort}', servername: localhost }`,
      "tls: { ca: pki/ca.pem, cert: pki/ingress.pem, key: pki/ingress-key.pem }",
      "shutdownGraceMs: 200",
      "",
    ].join("\n"));
    const ingress = startExecutable(["ingress", "--config", "ingress.yaml"]);
    const ingressPort = portOf(await ingress.waitFor("listening", undefined, 30_000));
    const { stdout } = await run(curl, ["-sS", "--max-time", "20", "-p", "-x", `http://127.0.0.1:${ingressPort}`, `http://localhost:${service.port}/from-the-executable`]);
    expect(stdout).toBe("hello from /from-the-executable");
    expect((await peer.waitFor("tunnel.close", undefined, 30_000)).outcome).toBe("done");
    expect(peer.lines.filter((l) => l.event === "worker.started")).toHaveLength(2);
    expect(await ingress.stop()).toBe(0);
    expect(await peer.stop()).toBe(0);
  });

  it("writes pretty logs with --pretty", async () => {
    const child = spawn(exe, ["peer", "--config", "peer.yaml", "--pretty"], { cwd: home, env: bare(), stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    const listening = new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        if (/INFO.*: listening/.test(text)) resolve();
      });
      child.once("exit", (code) => reject(new Error(`exited ${String(code)} before listening: ${text}`)));
    });
    await listening;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d[.]\d{3}\] INFO.*: startup tlsbridge peer starting$/m);
    expect(text).not.toContain('{"level"');
  });
});
