// The data checks every peer mode must pass, shared so the h1 tests (e2e/tunnel-data-integrity) and
// the h2 ones (perf-features/h2-mode-tunnels) assert the same things: a checksummed echo of many
// MiB, bytes pipelined right after the CONNECT head, and a client's half-close carried through.
import { createHash, randomBytes } from "node:crypto";
import { expect } from "vitest";
import { connectThrough, sendRaw } from "./connect-client.ts";
import type { TwoNodes } from "./two-nodes.ts";

const MiB = 1024 * 1024;

/**
 * Sends `mib` MiB through the echo service and half-closes: every byte comes back, the SHA-256 of
 * what came back is that of what was sent, and the ingress's `tunnel.close` counts them both ways.
 */
export async function expectChecksummedEcho(nodes: TwoNodes, echoPort: number, mib: number): Promise<void> {
  const tunnel = await connectThrough(nodes.ingressPort, `localhost:${echoPort}`);
  expect(tunnel.status).toBe(200);
  const sent = createHash("sha256");
  const received = createHash("sha256").update(tunnel.rest);
  let receivedBytes = tunnel.rest.length;
  const done = new Promise<void>((resolve, reject) => {
    tunnel.socket.on("data", (chunk: Buffer) => {
      received.update(chunk);
      receivedBytes += chunk.length;
    });
    tunnel.socket.on("end", resolve);
    tunnel.socket.on("error", reject);
  });
  tunnel.socket.resume();
  const block = randomBytes(MiB);
  for (let i = 0; i < mib; i++) {
    block.writeUInt32BE(i, 0); // every MiB differs, so reordering would change the hash
    sent.update(block);
    if (!tunnel.socket.write(Buffer.from(block))) await new Promise((r) => tunnel.socket.once("drain", r));
  }
  tunnel.socket.end();
  await done;
  expect(receivedBytes).toBe(mib * MiB);
  expect(received.digest("hex")).toBe(sent.digest("hex"));
  const close = await nodes.ingressLog.waitFor("tunnel.close", (l) => l.bytesUp === mib * MiB);
  expect(close.bytesDown).toBe(mib * MiB);
  expect(close.outcome).toBe("done");
}

/**
 * Sends `mib` MiB through the echo service at `authority` and reads until every byte came back, then
 * closes: the SHA-256 of what came back is that of what was sent. Unlike {@link expectChecksummedEcho}
 * it does not half-close first, so it holds through peers that close a tunnel on the first FIN
 * (squid, ATS: the interop tests). Returns the milliseconds the transfer took.
 */
export async function expectEchoedBack(ingressPort: number, authority: string, mib: number): Promise<number> {
  const began = performance.now();
  const tunnel = await connectThrough(ingressPort, authority);
  expect(tunnel.status, tunnel.head).toBe(200);
  const total = mib * MiB;
  const sent = createHash("sha256");
  const received = createHash("sha256").update(tunnel.rest);
  let receivedBytes = tunnel.rest.length;
  const done = new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (receivedBytes >= total) resolve();
    };
    tunnel.socket.on("data", (chunk: Buffer) => {
      received.update(chunk);
      receivedBytes += chunk.length;
      check();
    });
    tunnel.socket.on("end", () => reject(new Error(`the tunnel ended after ${receivedBytes} of ${total} bytes`)));
    tunnel.socket.on("error", reject);
    check();
  });
  tunnel.socket.resume();
  const block = randomBytes(MiB);
  for (let i = 0; i < mib; i++) {
    block.writeUInt32BE(i, 0); // every MiB differs, so reordering would change the hash
    sent.update(block);
    // Raced with `done`, so a tunnel cut mid-write fails the check instead of waiting for a drain.
    if (!tunnel.socket.write(Buffer.from(block))) await Promise.race([new Promise((r) => tunnel.socket.once("drain", r)), done]);
  }
  await done;
  tunnel.socket.destroy();
  expect(receivedBytes).toBe(total);
  expect(received.digest("hex")).toBe(sent.digest("hex"));
  return performance.now() - began;
}

/**
 * Sends `connectHead` (a whole CONNECT head to an echo service) with `early bytes` right behind it in
 * the same write, then half-closes: the tunnel opens and echoes exactly those bytes.
 */
export async function expectEarlyBytesEchoed(ingressPort: number, connectHead: string): Promise<void> {
  const tunnel = await sendRaw(ingressPort, `${connectHead}early bytes`);
  expect(tunnel.status).toBe(200);
  let echoed = tunnel.rest.toString();
  tunnel.socket.on("data", (chunk: Buffer) => (echoed += chunk.toString()));
  tunnel.socket.resume();
  tunnel.socket.end();
  await new Promise((resolve) => tunnel.socket.on("end", resolve));
  expect(echoed).toBe("early bytes");
}

/**
 * Sends 100 000 bytes to a count-until-FIN service and shuts down only the write side: the service
 * answers after that FIN, so the whole answer arriving proves the half-close crossed every hop.
 */
export async function expectHalfCloseCarried(ingressPort: number, counterPort: number): Promise<void> {
  const tunnel = await connectThrough(ingressPort, `localhost:${counterPort}`);
  expect(tunnel.status).toBe(200);
  let answer = tunnel.rest.toString();
  tunnel.socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
  tunnel.socket.resume();
  tunnel.socket.write("x".repeat(100_000));
  tunnel.socket.end(); // shut down our write side only: the service answers after this FIN
  await new Promise((resolve) => tunnel.socket.on("end", resolve));
  expect(answer).toBe("received 100000 bytes");
}
