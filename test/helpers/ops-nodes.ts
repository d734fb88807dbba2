// Helpers for the operations tests: real `tlsbridge` processes with temp configs (one workspace per
// test file), their JSON log lines, the admin endpoints, and the Prometheus exposition text parsed
// into numbers.
import type { ChildProcessByStdio } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { formatPasswordHash, hashPassword } from "@tlsbridge/ingress";
import { startTlsbridge } from "../cli/run-tlsbridge.ts";
import { writeTestPki } from "./pki.ts";
import { closedPort, startEchoService } from "./services.ts";
import type { TestService } from "./services.ts";

/** One parsed log line. */
export type LogLine = Record<string, unknown> & { event?: string; level?: number };

/** A running tlsbridge process. */
export type OpsNode = {
  readonly pid: number;
  readonly lines: LogLine[];
  /** The same lines as written (for checks JSON.parse hides, such as a key written twice). */
  readonly raw: string[];
  /** Resolves with the first line (already seen or future) with `event` that passes `where`. */
  readonly waitFor: (event: string, where?: (line: LogLine) => boolean, timeoutMs?: number) => Promise<LogLine>;
  readonly exited: Promise<number | null>;
  readonly signal: (signal: NodeJS.Signals) => void;
  /** SIGTERM (if still running) and wait for the exit code. */
  readonly stop: () => Promise<number | null>;
  readonly stderr: () => string;
};

/** Starts `tlsbridge <role> --config <config>` in `cwd`; `env` adds to the environment. */
export function startNode(role: "ingress" | "peer", config: string, cwd: string, env?: NodeJS.ProcessEnv): OpsNode {
  return followNode(startTlsbridge([role, "--config", config, "--log-level", "debug"], cwd, env));
}

/** Follows a node process already started (any build of the program): its JSON log lines, its exit. */
export function followNode(child: ChildProcessByStdio<null, Readable, Readable>): OpsNode {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const wakers = new Set<() => void>();
  createInterface({ input: child.stdout }).on("line", (text) => {
    raw.push(text);
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      lines.push({ event: "unparsed", text });
    }
    for (const wake of wakers) wake();
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const waitFor = (event: string, where: (line: LogLine) => boolean = () => true, timeoutMs = 10_000): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = lines.find((l) => l.event === event && where(l));
        if (found === undefined) return false;
        wakers.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        wakers.delete(check);
        reject(new Error(`no '${event}' within ${timeoutMs} ms; events: ${lines.map((l) => l.event).join(", ")}; stderr: ${stderr}`));
      }, timeoutMs);
      if (!check()) wakers.add(check);
      void exited.then((code) => {
        if (wakers.has(check)) {
          wakers.delete(check);
          clearTimeout(timer);
          reject(new Error(`exited (${String(code)}) before '${event}'; stderr: ${stderr}`));
        }
      });
    });
  return {
    pid: child.pid as number,
    lines,
    raw,
    waitFor,
    exited,
    signal: (signal) => void child.kill(signal),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
    stderr: () => stderr,
  };
}

/**
 * A temp directory for one ops test file, with the test PKI under `pki/`, an empty `sites/` and an
 * echo service to tunnel to. Nodes started through it run in the directory and are stopped by `close`.
 */
export type OpsWorkspace = {
  readonly dir: string;
  readonly echo: TestService;
  /** {@link startNode} in `dir`; `close` stops it. */
  readonly startNode: (role: "ingress" | "peer", config: string, env?: NodeJS.ProcessEnv) => OpsNode;
  /**
   * Writes `<name>` in `dir`: a peer on `listen` with the workspace PKI that allows `localhost`
   * (loopback addresses admitted), then `extra` lines; returns its path.
   */
  readonly writePeerConfig: (name: string, extra?: readonly string[], listen?: string) => Promise<string>;
  /**
   * Writes `sites/hq.yaml` (localhost to peer `cloud`) and `<name>` in `dir`: an ingress listening on
   * a free loopback port for site hq, with `cloud` at 127.0.0.1:`peer` (a port) or `peer` (host:port)
   * and the workspace PKI, then `extra` lines; `peerMode` names the mode (default: none, so auto);
   * returns its path.
   */
  readonly writeIngressConfig: (name: string, peer: number | string, extra?: readonly string[], peerMode?: "h1" | "h2") => Promise<string>;
  /** Stops every node started here, then the echo service, then removes the directory. */
  readonly close: () => Promise<void>;
};

/** Creates the directory (named from `prefix`), writes the PKI and starts the echo service. */
export async function openOpsWorkspace(prefix: string): Promise<OpsWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeTestPki(join(dir, "pki"));
  await mkdir(join(dir, "sites"));
  const echo = await startEchoService();
  const nodes: OpsNode[] = [];
  return {
    dir,
    echo,
    startNode: (role, config, env) => {
      const node = startNode(role, config, dir, env);
      nodes.push(node);
      return node;
    },
    writePeerConfig: async (name, extra = [], listen = "127.0.0.1:0") => {
      const file = join(dir, name);
      await writeFile(file, [
        `listen: ${listen}`,
        "tls: { ca: pki/ca.pem, cert: pki/peer.pem, key: pki/peer-key.pem }",
        "allow:",
        "  - match: localhost",
        "    addresses: [127.0.0.0/8, '::1']",
        ...extra,
        "",
      ].join("\n"));
      return file;
    },
    writeIngressConfig: async (name, peer, extra = [], peerMode) => {
      await writeFile(join(dir, "sites", "hq.yaml"), "rules:\n  - match: localhost\n    peer: cloud\n");
      const file = join(dir, name);
      await writeFile(file, [
        "listeners:",
        "  - listen: 127.0.0.1:0",
        "    rules: sites/hq.yaml",
        "peers:",
        `  cloud: { address: '${typeof peer === "number" ? `127.0.0.1:${peer}` : peer}', servername: localhost${peerMode !== undefined ? `, mode: ${peerMode}` : ""} }`,
        "tls: { ca: pki/ca.pem, cert: pki/ingress.pem, key: pki/ingress-key.pem }",
        ...extra,
        "",
      ].join("\n"));
      return file;
    },
    close: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      await echo.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The port of an `address` field (`127.0.0.1:1234`). */
export function portOf(line: LogLine): number {
  return Number(String(line.address).split(":").at(-1));
}

/** GET on the admin listener: status and body. */
export async function adminGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

/** Prometheus exposition text as `name{labels}` -> value (labels as written, sorted by the client). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Scrapes `/metrics` and parses it. */
export async function scrape(port: number): Promise<Map<string, number>> {
  const { status, body } = await adminGet(port, "/metrics");
  if (status !== 200) throw new Error(`/metrics answered ${status}: ${body}`);
  return parseMetrics(body);
}

/** One `user:hash` line of a users file (scrypt at the lowest accepted cost: tests need no strength). */
export async function usersFileLine(user: string, password: string): Promise<string> {
  return `${user}:${formatPasswordHash(await hashPassword(password, { ln: 14, r: 8, p: 1 }))}\n`;
}

/**
 * Writes, in `dir`, an ingress config with proxy authentication: `users` as users.htpasswd, a site
 * that routes every host to peer `cloud` at a closed port (a client that passes gets 502), the
 * test PKI, then `extra` lines. Returns the config's file name.
 */
export async function writeAuthIngressConfig(dir: string, users: string, extra: readonly string[] = []): Promise<string> {
  const pki = await writeTestPki();
  await writeFile(join(dir, "site.yaml"), "rules:\n  - match: '.*'\n    peer: cloud\n");
  await writeFile(join(dir, "users.htpasswd"), users);
  await writeFile(join(dir, "ingress.yaml"), [
    "listeners:",
    "  - listen: 127.0.0.1:0",
    "    rules: site.yaml",
    "    auth: { users: users.htpasswd }",
    `peers: { cloud: { address: '127.0.0.1:${await closedPort()}', servername: localhost } }`,
    `tls: { ca: ${pki.ca.cert}, cert: ${pki.ingress.cert}, key: ${pki.ingress.key} }`,
    ...extra,
    "",
  ].join("\n"));
  return "ingress.yaml";
}
