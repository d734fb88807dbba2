// `npm start`: the whole tunnel on one machine. Makes a dev PKI in pki/ if there is none, starts a
// sample service on 127.0.0.1:9080 (HTTP) and 9443 (HTTPS, the dev certificate for localhost), runs
// the real `tlsbridge peer` and `tlsbridge ingress` as two processes with the shipped configs, and
// prints a curl line to try per front door (HTTP CONNECT, SOCKS5, SNI). Ctrl-C stops everything.
// `--check` (or TLSBRIDGE_DEMO_CHECK=1) makes the requests itself, prints the answers and exits 0/1.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initPki } from "@tlsbridge/cli";
import { fetchThroughProxy } from "./demo-fetch.ts";
import { startDemoNode, stopDemoNode } from "./demo-node.ts";
import type { DemoNode } from "./demo-node.ts";
import { assertPortFree } from "./demo-ports.ts";
import { startDemoService } from "./demo-service.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LOOPBACK = "127.0.0.1";
/** The addresses the shipped configs are written for (ingress sites hq and lab); all checked free first. */
const PORTS = { ingress: 8080, ingressLab: 8081, socks: 1080, sni: 8443, peer: 4443, service: 9080, httpsService: 9443 } as const;
const CURL = `curl -p -x http://${LOOPBACK}:${PORTS.ingress} http://localhost:${PORTS.service}/hello`;
/** The other two doors, as the demo prints them (and, with --check, runs them from the repository root). */
const DOOR_CURLS = {
  socks5: ["--socks5-hostname", `${LOOPBACK}:${PORTS.socks}`, `http://localhost:${PORTS.service}/hello`],
  sni: ["--resolve", `localhost:${PORTS.sni}:${LOOPBACK}`, "--cacert", "pki/ca.pem", `https://localhost:${PORTS.sni}/hello`],
} as const;
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 12_000;

const { values } = parseArgs({ options: { check: { type: "boolean" } }, strict: true });
const checkOnly = values.check === true || process.env.TLSBRIDGE_DEMO_CHECK === "1";
const color = process.stdout.isTTY === true && !checkOnly;

const nodes: DemoNode[] = [];
let service: Server | undefined;
let httpsService: Server | undefined;
let stopping = false;

/** Prints a demo message (not a node log line). */
function say(line: string): void {
  process.stdout.write(color ? `\x1b[1m${line}\x1b[0m\n` : `${line}\n`);
}

async function stopAll(code: number): Promise<never> {
  stopping = true;
  await Promise.all(nodes.map((n) => stopDemoNode(n, STOP_GRACE_MS)));
  for (const server of [service, httpsService]) await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  process.exit(code);
}

async function run(): Promise<void> {
  const pkiDir = join(ROOT, "pki");
  if (!existsSync(join(pkiDir, "ca.pem"))) {
    const files = await initPki(pkiDir);
    say(`made a dev PKI in ${files.dir} (tlsbridge pki init pki)`);
  }
  for (const port of Object.values(PORTS)) await assertPortFree(LOOPBACK, port);
  service = await startDemoService(LOOPBACK, PORTS.service);
  // The dev peer certificate names localhost: good enough for a demo service reached only through the peer.
  const tls = { cert: await readFile(join(pkiDir, "peer.pem")), key: await readFile(join(pkiDir, "peer-key.pem")) };
  httpsService = await startDemoService(LOOPBACK, PORTS.httpsService, tls);
  say(`sample service listening on ${LOOPBACK}:${PORTS.service} (HTTP) and ${LOOPBACK}:${PORTS.httpsService} (HTTPS, pki/peer.pem)`);

  const peer = startDemoNode("peer", join(ROOT, "configs", "peer.yaml"), color);
  nodes.push(peer);
  await peer.listening(`${LOOPBACK}:${PORTS.peer}`, START_TIMEOUT_MS);
  const ingress = startDemoNode("ingress", join(ROOT, "configs", "ingress.yaml"), color);
  nodes.push(ingress);
  // Listeners bind in config order: the SNI one is the last.
  await ingress.listening(`${LOOPBACK}:${PORTS.sni}`, START_TIMEOUT_MS);
  // From here on, a node that dies on its own stops the demo.
  for (const node of nodes) {
    void node.exited.then((code) => {
      if (stopping) return;
      say(`stopping: the ${node.name} exited with code ${String(code)}`);
      void stopAll(1);
    });
  }

  if (checkOnly) {
    const result = await fetchThroughProxy({ host: LOOPBACK, port: PORTS.ingress }, `localhost:${PORTS.service}`, "/hello", 10_000);
    const ok = result.connectStatus === 200 && result.status === 200 && result.body.includes("/hello");
    say(`${ok ? "ok" : "FAILED"}: CONNECT ${result.connectStatus}, GET ${String(result.status ?? "-")}: ${result.body.trim()}`);
    let allOk = ok;
    for (const [door, args] of Object.entries(DOOR_CURLS)) {
      const body = await curl(args);
      const doorOk = body.includes("GET /hello");
      allOk &&= doorOk;
      say(`${doorOk ? "ok" : "FAILED"}: ${door}: curl ${args.join(" ")}: ${body.trim()}`);
    }
    await stopAll(allOk ? 0 : 1);
  }
  say("");
  say("tlsbridge demo is up: client -> ingress 127.0.0.1:8080 == mTLS ==> peer 127.0.0.1:4443 -> service 127.0.0.1:9080");
  say(`try:  ${CURL}`);
  say(`      curl ${DOOR_CURLS.socks5.join(" ")}     (SOCKS5 on ${LOOPBACK}:${PORTS.socks})`);
  say(`      curl ${DOOR_CURLS.sni.join(" ")}     (SNI on ${LOOPBACK}:${PORTS.sni}: TLS end to end to ${LOOPBACK}:${PORTS.httpsService})`);
  say("also: npx tlsbridge check --config configs/ingress.yaml localhost:9080 example.org:443");
  say("Ctrl-C stops everything.");
  say("");
}

/** Runs curl with `args` from the repository root (as a newcomer would): its output, or why it failed. */
function curl(args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile("curl", ["-sS", "--max-time", "10", ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve(error === null ? stdout : `${stderr.trim() || error.message}`);
    });
  });
}

let signals = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) {
      for (const n of nodes) n.child.kill("SIGKILL");
      process.exit(1);
    }
    say("\nstopping the demo (Ctrl-C again to kill at once)...");
    void stopAll(0);
  });
}
// Detached children do not die with us on their own: never leave a node running.
process.on("exit", () => {
  for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill("SIGKILL");
});

run().catch(async (err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  await stopAll(1);
});
