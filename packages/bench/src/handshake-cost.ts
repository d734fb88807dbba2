// `node packages/bench/src/handshake-cost.ts [n]`: CPU and wall time of a full mTLS 1.3 handshake
// against a resumed one (session ticket), both key exchange settings, client and server in this
// process, on loopback. Measures what TLS session resumption between ingress and peer saves.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import type net from "node:net";
import { generateCerts } from "./certs.ts";

async function handshake(port: number, ctx: tls.SecureContext, session: Buffer | undefined): Promise<{ resumed: boolean; ticket: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let ticket: Buffer | undefined;
    const socket = tls.connect({ port, host: "127.0.0.1", servername: "localhost", secureContext: ctx, session, minVersion: "TLSv1.3" });
    socket.on("session", (t: Buffer) => (ticket ??= t));
    socket.once("secureConnect", () => {
      const resumed = socket.isSessionReused();
      socket.once("data", () => { socket.end(); resolve({ resumed, ticket }); });
    });
    socket.once("error", reject);
  });
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200);
  const dir = mkdtempSync(join(tmpdir(), "hs-"));
  const c = generateCerts(dir);
  const read = (p: string): Buffer => readFileSync(p);
  for (const groups of ["X25519MLKEM768:X25519", "X25519"]) {
    const server = tls.createServer({
      ca: read(c.ca), cert: read(c.serverCert), key: read(c.serverKey), requestCert: true, rejectUnauthorized: true,
      minVersion: "TLSv1.3", ecdhCurve: groups,
    }, (s: net.Socket) => s.end("x"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as net.AddressInfo).port;
    const ctx = tls.createSecureContext({ ca: read(c.ca), cert: read(c.clientCert), key: read(c.clientKey), ecdhCurve: groups });
    const { ticket } = await handshake(port, ctx, undefined);
    for (const mode of ["full", "resumed"] as const) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let resumedCount = 0;
      for (let i = 0; i < n; i++) {
        const r = await handshake(port, ctx, mode === "resumed" ? ticket : undefined);
        if (r.resumed) resumedCount += 1;
      }
      const cpu = process.cpuUsage(cpu0);
      const wall = performance.now() - t0;
      process.stdout.write(`${groups.padEnd(22)} ${mode.padEnd(8)} ${((cpu.user + cpu.system) / n / 1000).toFixed(3)} ms CPU (both ends) ${(wall / n).toFixed(3)} ms wall per connection; resumed ${resumedCount}/${n}\n`);
    }
    server.close();
  }
}

await main();
