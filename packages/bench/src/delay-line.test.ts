// What the WAN delay line promises the benchmark, checked on loopback sockets: bytes arrive whole and
// in order and never sooner than the delay, a full pipe pushes back instead of buffering without
// bound, the rate limit holds, and a stalled connection falls behind the others. Only lower bounds
// on time and the order of events are asserted: a loaded machine can make things slower, never faster.
import { once } from "node:events";
import net from "node:net";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { DelayLine } from "./delay-line.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(onConnection: (s: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    onConnection(s);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(r));
  });
  return (server.address() as net.AddressInfo).port;
}

const echo = (): Promise<number> => listen((s) => s.pipe(s));

async function line(options: Omit<ConstructorParameters<typeof DelayLine>[0], "target">, targetPort: number): Promise<{ line: DelayLine; port: number }> {
  const l = new DelayLine({ target: { host: "127.0.0.1", port: targetPort }, ...options });
  const port = await l.listen();
  cleanups.push(() => l.close());
  return { line: l, port };
}

async function connect(port: number): Promise<net.Socket> {
  const s = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
  await once(s, "connect");
  cleanups.push(() => s.destroy());
  return s;
}

/** Reads until `n` bytes came, then resolves with them. */
function readBytes(s: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (chunk: Buffer): void => {
      parts.push(chunk);
      got += chunk.length;
      if (got >= n) {
        s.off("data", onData);
        s.off("close", onClose);
        resolve(Buffer.concat(parts));
      }
    };
    const onClose = (): void => reject(new Error(`closed after ${got} of ${n} bytes`));
    s.on("data", onData);
    s.once("close", onClose);
  });
}

/** Milliseconds one small echo takes to come back through `s`. */
async function echoMs(s: net.Socket): Promise<number> {
  const t0 = performance.now();
  const back = readBytes(s, 4);
  s.write("ping");
  await back;
  return performance.now() - t0;
}

describe("delay line", () => {
  it("carries bytes whole and in order both ways, and no echo comes back sooner than one round trip", async () => {
    const { port } = await line({ oneWayDelayMs: 40 }, await echo());
    const s = await connect(port);
    // The first also waits for the TCP handshake across the path: one more round trip.
    expect(await echoMs(s)).toBeGreaterThanOrEqual(159);
    expect(await echoMs(s)).toBeGreaterThanOrEqual(79);
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const back = readBytes(s, data.length);
    s.write(data);
    expect((await back).equals(data)).toBe(true);
  });

  it("answers through a short line before a long one when both are asked at once", async () => {
    const target = await echo();
    const long = await connect((await line({ oneWayDelayMs: 150 }, target)).port);
    const short = await connect((await line({ oneWayDelayMs: 1 }, target)).port);
    const order: string[] = [];
    await Promise.all([echoMs(long).then(() => order.push("long")), echoMs(short).then(() => order.push("short"))]);
    expect(order).toEqual(["short", "long"]);
  });

  it("passes a half-close on after the delayed bytes, and the other way keeps flowing", async () => {
    let serviceSaw = "";
    const target = await listen((s) => {
      s.on("data", (d: Buffer) => (serviceSaw += d.toString()));
      s.once("end", () => s.end(`got ${serviceSaw}`));
    });
    const s = await connect((await line({ oneWayDelayMs: 20 }, target)).port);
    const reply = readBytes(s, "got hello".length);
    s.end("hello");
    expect((await reply).toString()).toBe("got hello");
  });

  it("pushes back on a sender once one connection holds its bound, and loses nothing", async () => {
    const boundBytes = 1024 * 1024;
    let onAccepted: (s: net.Socket) => void = () => {};
    const accepted = new Promise<net.Socket>((resolve) => (onAccepted = resolve));
    const targetPort = await listen((s) => {
      s.pause(); // a reader that stops: the line must not soak up all the sender has
      onAccepted(s);
    });
    const { line: delayLine, port } = await line({ oneWayDelayMs: 5, boundBytes }, targetPort);
    const pushed = new Promise<void>((resolve) => (delayLine.onPushBack = resolve));
    const data = randomBytes(24 * 1024 * 1024);
    (await connect(port)).write(data);
    const targetSocket = await accepted;
    await pushed;
    const received = readBytes(targetSocket, data.length);
    targetSocket.resume();
    expect((await received).equals(data)).toBe(true);
    // One read past the bound at most (a socket read is up to 64 KiB); far less than the 24 MiB sent.
    expect(delayLine.maxHeldBytes).toBeLessThanOrEqual(boundBytes + 64 * 1024);
    expect(delayLine.pushBacks).toBeGreaterThan(0);
  });

  it("holds connections together to the rate limit", async () => {
    const bytesPerSec = 4_000_000;
    const { port } = await line({ oneWayDelayMs: 2, bytesPerSec }, await echo());
    const size = 1024 * 1024;
    const sockets = [await connect(port), await connect(port)];
    const t0 = performance.now();
    await Promise.all(sockets.map((s) => {
      const back = readBytes(s, size);
      s.write(Buffer.alloc(size, 1));
      return back;
    }));
    const seconds = (performance.now() - t0) / 1000;
    // Two MiB each way over one 4 MB/s link in each direction: the two directions overlap, so at least 2 MiB / rate.
    expect(seconds).toBeGreaterThanOrEqual((2 * size) / bytesPerSec);
  });

  it("freezes a stalled connection while the others keep answering", async () => {
    const { line: l, port } = await line({ oneWayDelayMs: 5 }, await echo());
    const stalled = await connect(port);
    const other = await connect(port);
    await echoMs(stalled);
    await echoMs(other); // both connections exist in the line, the first one is first in turn
    l.stallOne(400);
    const order: string[] = [];
    const [stalledMs] = await Promise.all([
      echoMs(stalled).then((ms) => (order.push("stalled"), ms)),
      echoMs(other).then(() => order.push("other")),
    ]);
    expect(order).toEqual(["other", "stalled"]);
    expect(stalledMs).toBeGreaterThanOrEqual(390);
    expect(l.stalls).toBe(1);
  });
});
