// `tlsbridge peer` and `tlsbridge ingress` as processes: the log lines operators rely on (startup,
// config.loaded, cert.loaded with an expiry warning, signal, shutdown), a clean exit 0 on SIGTERM,
// exit 2 for a rejected config and exit 1 when the node cannot start. Keys never reach the logs.
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issuePeerCert } from "../../packages/cli/src/pki/index.ts";
import type { IssuedCertificate } from "../../packages/cli/src/pki/index.ts";
import { runTlsbridge, startTlsbridge } from "./run-tlsbridge.ts";

let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "tlsbridge-cli-node-"));
  expect((await runTlsbridge(["pki", "init", "pki"], { cwd: base })).code).toBe(0);
  // A peer certificate from the same CA that expires in ten days: cert.loaded must warn about it.
  const ca: IssuedCertificate = {
    cert: await readFile(join(base, "pki", "ca.pem"), "utf8"),
    key: await readFile(join(base, "pki", "ca-key.pem"), "utf8"),
  };
  const soon = await issuePeerCert(ca, { names: ["localhost"], validityDays: 10 });
  await writeFile(join(base, "pki", "soon.pem"), soon.cert);
  await writeFile(join(base, "pki", "soon-key.pem"), soon.key, { mode: 0o600 });
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A peer config on a free port with the given certificate files. */
async function peerConfig(name: string, listen: string, cert = "pki/peer.pem", key = "pki/peer-key.pem"): Promise<string> {
  const file = join(base, name);
  await writeFile(file, `listen: ${listen}\ntls: { ca: pki/ca.pem, cert: ${cert}, key: ${key} }\nallow:\n  - match: localhost\n    ports: [9]\n    addresses: [127.0.0.0/8]\nshutdownGraceMs: 500\n`);
  return file;
}

type LogLine = Record<string, unknown> & { event?: string };

/** Starts a node and collects its JSON log lines; `waitFor` resolves at the first line with `event`. */
function startNode(args: string[]) {
  const child = startTlsbridge(args, base);
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const waiters: Array<{ event: string; resolve: (l: LogLine) => void }> = [];
  createInterface({ input: child.stdout }).on("line", (text) => {
    raw.push(text);
    const line = JSON.parse(text) as LogLine;
    lines.push(line);
    for (const w of waiters.filter((w) => w.event === line.event)) w.resolve(line);
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const waitFor = (event: string): Promise<LogLine> => {
    const seen = lines.find((l) => l.event === event);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      waiters.push({ event, resolve });
      void exited.then((code) => reject(new Error(`exited (${String(code)}) before '${event}'; stderr: ${stderr}`)));
    });
  };
  return { child, lines, raw, waitFor, exited, stderr: () => stderr };
}

describe("tlsbridge peer as a process", () => {
  it("logs startup, config and certificates, listens, and exits 0 on SIGTERM", async () => {
    const config = await peerConfig("peer-soon.yaml", "127.0.0.1:0", "pki/soon.pem", "pki/soon-key.pem");
    const node = startNode(["peer", "--config", config]);
    await node.waitFor("listening");
    node.child.kill("SIGTERM");
    expect(await node.exited).toBe(0);
    const events = node.lines.map((l) => l.event);
    expect(events.every((e) => typeof e === "string")).toBe(true);
    expect(events.slice(0, 2)).toEqual(["startup", "config.loaded"]);
    expect(events).toContain("signal");
    expect(events.at(-1)).toBe("shutdown");

    const startup = node.lines[0];
    expect(startup).toMatchObject({ role: "peer", version: expect.any(String), nodeVersion: process.version, pid: node.child.pid });
    const certs = node.lines.filter((l) => l.event === "cert.loaded");
    expect(certs.map((c) => c.file)).toEqual(["pki/ca.pem", "pki/soon.pem"]);
    expect(certs[0]).toMatchObject({ level: 30, subject: "CN=tlsbridge private CA", fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });
    expect(certs[1]).toMatchObject({ level: 40, daysLeft: expect.any(Number), notAfter: expect.any(String), issuer: "CN=tlsbridge private CA" });
    expect(certs[1]?.msg).toMatch(/expires in \d+ days/);
    expect(node.lines.find((l) => l.event === "signal")).toMatchObject({ signal: "SIGTERM", graceMs: 500 });
    expect(node.raw.join("\n")).not.toMatch(/PRIVATE KEY/);
  });

  it("exits 2 with file:line:col on stderr and a config.rejected log line for a bad config", async () => {
    const config = join(base, "peer-bad.yaml");
    await writeFile(config, "listen: 127.0.0.1:0\ntls: { ca: pki/ca.pem, cert: pki/peer.pem, key: pki/peer-key.pem }\nallow: []\nlimits: { idleTimeoutMs: soon }\n");
    const node = startNode(["peer", "--config", config]);
    expect(await node.exited).toBe(2);
    expect(node.stderr()).toBe("peer-bad.yaml:4:26: expected an integer from 1 to 86400000, got string 'soon'\n");
    expect(node.lines.map((l) => l.event)).toEqual(["startup", "config.rejected"]);
  });

  // Issue 15: this was logged as internal.error with a stack trace, which the docs say means a bug.
  it("exits 1 with one line naming the address and the cause when its port is taken", async () => {
    const blocker = createServer().listen(0, "127.0.0.1");
    await once(blocker, "listening");
    try {
      const port = (blocker.address() as AddressInfo).port;
      const node = startNode(["peer", "--config", await peerConfig("peer-busy.yaml", `127.0.0.1:${port}`)]);
      expect(await node.exited).toBe(1);
      expect(node.stderr()).toBe(`tlsbridge peer: cannot listen on 127.0.0.1:${port}: the address is already in use (another process listens there)\n`);
      expect(node.lines.at(-1)).toMatchObject({ event: "listen.failed", level: 50, code: "EADDRINUSE", address: `127.0.0.1:${port}` });
      expect(node.lines.at(-1)).not.toHaveProperty("err");
      expect(node.lines.some((l) => l.event === "internal.error")).toBe(false);
    } finally {
      blocker.close();
    }
  });
});

describe("tlsbridge ingress as a process", () => {
  it("starts with a listener on a free port and exits 0 on SIGINT", async () => {
    const config = join(base, "ingress.yaml");
    await writeFile(join(base, "site.yaml"), "rules:\n  - match: localhost\n    peer: p1\n");
    await writeFile(config, "listeners:\n  - listen: 127.0.0.1:0\n    rules: site.yaml\npeers:\n  p1: { address: '127.0.0.1:9' }\ntls: { ca: pki/ca.pem, cert: pki/ingress.pem, key: pki/ingress-key.pem }\n");
    const node = startNode(["ingress", "--config", config]);
    await node.waitFor("listening");
    const loaded = await node.waitFor("config.loaded");
    expect(loaded).toMatchObject({ node: "tlsbridge-ingress", peers: [{ name: "p1", address: "127.0.0.1:9", servername: "127.0.0.1" }] });
    node.child.kill("SIGINT");
    expect(await node.exited).toBe(0);
    expect(node.lines.at(-1)?.event).toBe("shutdown");
  });
});
