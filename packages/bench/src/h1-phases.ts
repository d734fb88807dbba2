// `node packages/bench/src/h1-phases.ts [--rtt-ms N] [--tunnels N]`: where a plain h1 tunnel's
// round trips go across the WAN's delay line (issue 13: 3.09 RTT against a target of 3). One run
// times, in round trips, a plain TCP echo through the line (the line's own cost: 2 RTT ideal), the
// phases of an ingress-like mTLS dial to a tlsbridge peer (TCP connect, TLS 1.3 handshake, CONNECT→200),
// and whole tunnels through a tlsbridge ingress in mode h1.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { parseArgs } from "node:util";
import { generateCerts } from "./certs.ts";
import type { CertPaths } from "./certs.ts";
import { killAllChildren, stopChild } from "./child-processes.ts";
import { parseResponseHead } from "./response-head.ts";
import { percentile } from "./stats.ts";
import { LOOPBACK_SIDE } from "./side.ts";
import { startServices } from "./start-services.ts";
import { createTlsbridge } from "./sut-tlsbridge.ts";
import { openTunnel, readUntil } from "./tunnel-client.ts";
import { WanPath } from "./wan-path.ts";
import { DEFAULT_KEY_EXCHANGE_GROUPS } from "@tlsbridge/transport";

const TIMEOUT_MS = 10_000;
const PING = Buffer.alloc(32, 0x70);

/** The phases of one dial, in ms from the start of the TCP connect. */
type Phases = { tcp: number; tls: number; ok: number; resumed: boolean };

/** A plain TCP connection through the line to the echo service: connect, 32 bytes there and back. */
async function plainEcho(port: number): Promise<number> {
  const t0 = performance.now();
  const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const back = readUntil({ socket, rest: Buffer.alloc(0), setupMs: undefined, startedAt: t0 }, TIMEOUT_MS, (n) => n >= PING.length);
  socket.write(PING);
  await back;
  socket.destroy();
  return performance.now() - t0;
}

/** Dials the peer through the line as the ingress does in mode h1 (same groups, client certificate, ticket). */
async function dialPeer(port: number, c: CertPaths, context: tls.SecureContext, session: Buffer | undefined, authority: string): Promise<{ phases: Phases; ticket: Buffer | undefined }> {
  const t0 = performance.now();
  const raw = net.connect({ host: "127.0.0.1", port, noDelay: true });
  await new Promise<void>((resolve, reject) => raw.once("connect", resolve).once("error", reject));
  const tcp = performance.now() - t0;
  let ticket: Buffer | undefined;
  const socket = tls.connect({ socket: raw, secureContext: context, servername: c.serverName, minVersion: "TLSv1.3", session });
  socket.on("session", (t: Buffer) => (ticket ??= t));
  await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
  const handshaken = performance.now() - t0;
  const resumed = socket.isSessionReused();
  let head = Buffer.alloc(0);
  const answered = new Promise<void>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (parseResponseHead(head) !== undefined) resolve();
    });
    socket.once("error", reject);
  });
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  await answered;
  const ok = performance.now() - t0;
  socket.destroy();
  return { phases: { tcp, tls: handshaken, ok, resumed }, ticket };
}

/** A TLS 1.3 handshake through the line, no session: ms from the TCP connect to secureConnect. */
async function handshakeOnly(port: number, servername: string, context: tls.SecureContext): Promise<number> {
  const t0 = performance.now();
  const socket = tls.connect({ host: "127.0.0.1", port, servername, secureContext: context, minVersion: "TLSv1.3" });
  await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
  socket.destroy();
  return performance.now() - t0;
}

const median = (values: readonly number[]): number => percentile(values, 50) ?? NaN;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "rtt-ms": { type: "string", default: "50" }, tunnels: { type: "string", default: "20" } } });
  const rttMs = Number(values["rtt-ms"]);
  const tunnels = Number(values.tunnels);
  const dir = mkdtempSync(join(tmpdir(), "h1-phases-"));
  const certs = generateCerts(dir);
  const services = await startServices(dir, LOOPBACK_SIDE);
  const path = new WanPath({ rttMs, bitsPerSec: 1e9, stall: { everyMs: 1000, forMs: 200 } }, dir, LOOPBACK_SIDE.host);
  const peerVia: number[] = [];
  const peerPorts: number[] = [];
  const sut = createTlsbridge("h1");
  try {
    const echoVia = await path.hop(services.ports.echo);
    await sut.start({ workDir: dir, certs, services: services.ports, far: LOOPBACK_SIDE, hop: async (port) => {
      const via = await path.hop(port);
      peerPorts.push(port);
      peerVia.push(via);
      return via;
    } });
    const rtt = (ms: number): string => (ms / rttMs).toFixed(3);
    const echoes: number[] = [];
    for (let i = 0; i < tunnels; i++) echoes.push(await plainEcho(echoVia));
    process.stdout.write(`path: ${rttMs} ms RTT; ${tunnels} of each, one at a time, medians in RTT\n`);
    process.stdout.write(`plain TCP through the line, connect + 32-byte echo (ideal 2): ${rtt(median(echoes))}\n`);

    const context = tls.createSecureContext({
      ca: readFileSync(certs.ca), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey), ecdhCurve: DEFAULT_KEY_EXCHANGE_GROUPS,
    });
    const authority = `127.0.0.1:${services.ports.echo}`;
    const dials: Phases[] = [];
    let session: Buffer | undefined;
    for (let i = 0; i < tunnels; i++) {
      const { phases, ticket } = await dialPeer(peerVia[0] as number, certs, context, session, authority);
      dials.push(phases);
      session = ticket ?? session;
    }
    const full = dials.filter((d) => !d.resumed);
    const resumed = dials.filter((d) => d.resumed);
    for (const [name, set] of [["full handshake", full], ["resumed (ticket)", resumed]] as const) {
      if (set.length === 0) continue;
      process.stdout.write(`ingress-like dial to the peer, ${name} (${set.length}): TCP connect ${rtt(median(set.map((d) => d.tcp)))}, `
        + `TLS done ${rtt(median(set.map((d) => d.tls)))} (ideal 2: the line holds the first bytes 1 RTT for TCP's handshake), `
        + `CONNECT→200 ${rtt(median(set.map((d) => d.ok)))} (ideal 3)\n`);
    }

    // The same dials straight to the peer on loopback: what the nodes' own work takes, in ms.
    const local: Phases[] = [];
    for (let i = 0; i < tunnels; i++) {
      const { phases, ticket } = await dialPeer(peerPorts[0] as number, certs, context, session, authority);
      local.push(phases);
      session = ticket ?? session;
    }
    const ms = (values: readonly number[]): string => median(values).toFixed(2);
    process.stdout.write(`the same dial on loopback, no line (ms): TLS done ${ms(local.map((d) => d.tls))}, `
      + `CONNECT→200 ${ms(local.map((d) => d.ok - d.tls))} after it\n`);

    // A peer without ML-KEM (ATS, squid on OpenSSL 3.0): does the first hello carry a key share it can use?
    const classic = tls.createServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey), ecdhCurve: "X25519", minVersion: "TLSv1.3" }, (s) => s.end());
    await new Promise<void>((resolve) => classic.listen(0, "127.0.0.1", resolve));
    const classicVia = await path.hop((classic.address() as net.AddressInfo).port);
    for (const groups of ["X25519MLKEM768:X25519", DEFAULT_KEY_EXCHANGE_GROUPS]) {
      const ctx = tls.createSecureContext({ ca: readFileSync(certs.ca), ecdhCurve: groups });
      const times: number[] = [];
      for (let i = 0; i < Math.min(tunnels, 5); i++) times.push(await handshakeOnly(classicVia, certs.serverName, ctx));
      process.stdout.write(`TLS done with an X25519-only server, client groups ${groups}: ${rtt(median(times))} (ideal 2; 3 with a HelloRetryRequest)\n`);
    }
    classic.close();

    const setups: number[] = [];
    for (let i = 0; i < tunnels; i++) {
      const t = await openTunnel(sut.endpoint("echo"), TIMEOUT_MS);
      setups.push(t.setupMs as number);
      t.socket.destroy();
    }
    process.stdout.write(`client → tlsbridge ingress (mode h1) → peer, CONNECT→200 (ideal 3): ${rtt(median(setups))} (p90 ${rtt(percentile(setups, 90) as number)})\n`);
  } finally {
    await sut.stop();
    await path.close();
    await stopChild(services.child);
    killAllChildren();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
