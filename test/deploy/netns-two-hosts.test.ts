// The compose topology without Docker: corp, wan and cloud hosts as network namespaces (drawn in
// netns-lab.ts), the real `tlsbridge` program as ingress (corp) and peer (cloud), curl as the
// client (corp) and a small HTTP service (cloud) whose name only the cloud host knows. Runs when
// root and `ip netns` work (CI); otherwise skipped, saying why. Everything is removed afterwards.
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TLSBRIDGE_BIN, runTlsbridge } from "../cli/run-tlsbridge.ts";
import { LAB_ADDRESSES as A, createLab, labUnsupportedReason } from "./netns-lab.ts";
import type { LabHost, NetnsLab } from "./netns-lab.ts";

const skipReason = labUnsupportedReason();
if (skipReason !== undefined) console.info(`skipped: netns two-host test: ${skipReason}`);

const HOSTS_FILES: Record<LabHost, string> = {
  // The corp host knows its ingress and the peer's WAN address, never the service.
  corp: `127.0.0.1 localhost\n${A.corp} ingress\n${A.cloud} peer\n`,
  wan: "127.0.0.1 localhost\n",
  cloud: `127.0.0.1 localhost\n${A.cloud} peer\n${A.service} service\n`,
};

const INGRESS_YAML = `node: ingress
listeners:
  - listen: ${A.corp}:8080
    rules: sites/hq.yaml
peers:
  cloud:
    address: peer:4443
    servername: peer
tls: { ca: pki/ca.pem, cert: pki/ingress.pem, key: pki/ingress-key.pem }
`;
const HQ_YAML = `rules:
  - match: 'service'
    ports: [8080]
    peer: cloud
`;
const PEER_YAML = `node: peer
listen: ${A.cloud}:4443
tls: { ca: pki/ca.pem, cert: pki/peer.pem, key: pki/peer-key.pem }
allow:
  - match: 'service'
    ports: [8080]
`;
const SERVICE_JS = `require("node:http").createServer((q, s) => s.end("hello from the cloud service\\n"))
  .listen(8080, "${A.service}", () => console.log(JSON.stringify({ event: "listening", address: "${A.service}:8080" })));`;

/** A process started in a namespace, with its parsed JSON log lines. */
type LabProcess = {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logs: Array<Record<string, unknown>>;
  readonly stderr: string[];
  readonly exited: Promise<void>;
  waitFor(what: string, test: (entry: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
};

const started: LabProcess[] = [];

function startIn(lab: NetnsLab, host: LabHost, name: string, args: string[], cwd: string): LabProcess {
  // `ip netns exec` execs the command in place, so this pid is node's own.
  const child = spawn("ip", lab.execArgs(host, process.execPath, args), { cwd, stdio: ["ignore", "pipe", "pipe"] });
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  const wakers = new Set<() => void>();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ text: line });
    }
    for (const wake of wakers) wake();
  });
  createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const waitFor: LabProcess["waitFor"] = (what, test, timeoutMs) =>
    new Promise((resolve, reject) => {
      const done = (err: Error | undefined, entry?: Record<string, unknown>): void => {
        clearTimeout(timer);
        wakers.delete(check);
        if (err !== undefined) reject(err);
        else resolve(entry!);
      };
      const check = (): void => {
        const entry = logs.find(test);
        if (entry !== undefined) done(undefined, entry);
      };
      const timer = setTimeout(() => done(new Error(`${name}: no ${what} within ${timeoutMs} ms; stderr: ${stderr.join(" | ")}`)), timeoutMs);
      void exited.then(() => done(new Error(`${name} exited before ${what}; stderr: ${stderr.join(" | ")}`)));
      wakers.add(check);
      check();
    });
  const proc = { name, child, logs, stderr, exited, waitFor };
  started.push(proc);
  return proc;
}

async function kill(proc: LabProcess): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGKILL");
  await proc.exited;
}

const listening = (address: string) => (e: Record<string, unknown>) => e.event === "listening" && e.address === address;
const timings: Record<string, number> = {};

describe.skipIf(skipReason !== undefined)("two hosts in network namespaces: corp (client, ingress), wan, cloud (peer, service)", () => {
  let lab: NetnsLab | undefined;
  let dir: string;
  let peer: LabProcess;
  const t0 = performance.now();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tlsbridge-netns-"));
    lab = createLab(HOSTS_FILES);
    timings.namespacesMs = performance.now() - t0;
    const pki = await runTlsbridge(["pki", "init", join(dir, "pki"), "--peer-name", "peer"]);
    expect(pki.code, pki.stderr).toBe(0);
    await writeFile(join(dir, "ingress.yaml"), INGRESS_YAML);
    await mkdir(join(dir, "sites"));
    await writeFile(join(dir, "sites", "hq.yaml"), HQ_YAML);
    await writeFile(join(dir, "peer.yaml"), PEER_YAML);

    const service = startIn(lab, "cloud", "service", ["-e", SERVICE_JS], dir);
    peer = startIn(lab, "cloud", "peer", [TLSBRIDGE_BIN, "peer", "--config", "peer.yaml"], dir);
    const ingress = startIn(lab, "corp", "ingress", [TLSBRIDGE_BIN, "ingress", "--config", "ingress.yaml"], dir);
    await Promise.all([
      service.waitFor("listening", listening(`${A.service}:8080`), 15_000),
      peer.waitFor("listening", listening(`${A.cloud}:4443`), 15_000),
      ingress.waitFor("listening", listening(`${A.corp}:8080`), 15_000),
    ]);
    timings.startedMs = performance.now() - t0;
  }, 45_000);

  afterAll(async () => {
    await Promise.all(started.map(kill));
    lab?.destroy();
    if (lab !== undefined) {
      // The teardown is part of the test: nothing of the lab may be left behind.
      const left = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
      for (const ns of Object.values(lab.ns)) expect(left).not.toContain(ns);
      for (const ns of Object.values(lab.ns)) expect(existsSync(join("/etc/netns", ns))).toBe(false);
    }
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    timings.totalMs = performance.now() - t0;
    console.info(`netns two-host test timings (ms): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}`);
  }, 30_000);

  it("the name files give `service` to the cloud host only", async () => {
    const cloud = await lab!.run("cloud", "getent", ["hosts", "service"]);
    expect(cloud.code).toBe(0);
    expect(cloud.stdout).toMatch(new RegExp(`^${A.service.replaceAll(".", "[.]")}\\s+service`));
    const corp = await lab!.run("corp", "getent", ["hosts", "service"]);
    expect(corp.code, `getent on the corp host answered: ${corp.stdout}`).toBe(2); // 2: not found
    expect(corp.stdout).toBe("");
  });

  it("the corp host cannot route to the service's address either, but reaches the peer's", async () => {
    const connect = (host: string, port: number) => lab!.run("corp", process.execPath, ["-e", `
      require("node:net").connect(${port}, "${host}")
        .on("connect", function () { console.log("connected"); this.destroy(); })
        .on("error", (e) => console.log(e.code));`]);
    expect((await connect(A.service, 8080)).stdout.trim()).toBe("ENETUNREACH");
    expect((await connect(A.cloud, 4443)).stdout.trim()).toBe("connected");
  });

  it("curl in corp reaches the service in cloud through the ingress and the peer", async () => {
    const start = performance.now();
    const r = await lab!.run("corp", "curl", ["-sS", "--max-time", "10", "-p", "-x", "http://ingress:8080", "http://service:8080/"]);
    timings.curlMs = performance.now() - start;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("hello from the cloud service\n");
    // The peer, not the ingress, dialled (and so resolved) the service.
    const close = await peer.waitFor("tunnel.close", (e) => e.event === "tunnel.close", 30_000);
    expect(JSON.stringify(close)).toContain("service:8080");
  });

  it("with the peer killed, the ingress answers 502 with a Proxy-Status", async () => {
    await kill(peer);
    const r = await lab!.run("corp", "curl", [
      "-sS", "-v", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_connect}",
      "-p", "-x", "http://ingress:8080", "http://service:8080/",
    ]);
    expect(r.code).toBe(56); // curl: CONNECT tunnel failed
    expect(r.stdout).toBe("502");
    expect(r.stderr).toMatch(/< Proxy-Status: ingress; error=connection_refused/i);
  });
});

// Keeps the reason visible in the test report, not only as a skipped suite.
if (skipReason !== undefined) {
  describe("two hosts in network namespaces", () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
}
