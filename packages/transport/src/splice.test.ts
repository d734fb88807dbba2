// splice on real loopback socket pairs: a FIN that was already emitted before the splice started is
// still carried (regression, see test/robustness/half-close-both-directions.test.ts), and the
// maximum lifetime ends even a busy tunnel.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { splice } from "./splice.ts";

const opened: net.Socket[] = [];
const servers: net.Server[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

/** A connected pair: `near` is the accepted side (what a node splices), `far` the dialing side. */
async function pair(): Promise<{ near: net.Socket; far: net.Socket }> {
  const server = net.createServer({ allowHalfOpen: true });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const far = net.connect({ port: (server.address() as net.AddressInfo).port, host: "127.0.0.1", allowHalfOpen: true });
  const near = await accepted;
  opened.push(near, far);
  near.on("error", () => {});
  far.on("error", () => {});
  return { near, far };
}

describe("splice", () => {
  it("carries a FIN that was emitted while the socket sat paused before the splice", async () => {
    const client = await pair();
    const upstream = await pair();
    // What a node does: read the head, pause, set up the other leg. The client's FIN arrives
    // meanwhile and Node emits 'end' on the paused socket (it calls read(0) at EOF).
    client.near.once("data", () => client.near.pause());
    const ended = new Promise((resolve) => client.near.once("end", resolve));
    client.far.end("CONNECT x:1 HTTP/1.1\r\n\r\n");
    await ended;
    expect(client.near.readableEnded).toBe(true);

    const tunnel = splice({ socket: client.near, raw: client.near }, { socket: upstream.near, raw: upstream.near }, { idleTimeoutMs: 10_000 });
    await new Promise((resolve) => upstream.far.once("end", resolve).resume()); // the FIN went through
    upstream.far.end("bye");
    let back = "";
    client.far.on("data", (chunk: Buffer) => (back += chunk.toString()));
    await new Promise((resolve) => client.far.once("end", resolve));
    expect(back).toBe("bye");
    expect((await tunnel.done).outcome).toBe("done");
  });

  it("ends a busy tunnel at maxLifetimeMs with outcome lifetime_exceeded", async () => {
    const client = await pair();
    const upstream = await pair();
    upstream.far.pipe(upstream.far); // echo: never idle while the client writes
    const started = performance.now();
    const tunnel = splice({ socket: client.near, raw: client.near }, { socket: upstream.near, raw: upstream.near }, {
      idleTimeoutMs: 10_000, maxLifetimeMs: 200,
    });
    const ticker = setInterval(() => client.far.writable && client.far.write("tick"), 10);
    client.far.resume();
    const result = await tunnel.done;
    clearInterval(ticker);
    expect(result.outcome).toBe("lifetime_exceeded");
    expect(result.bytesDown).toBeGreaterThan(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("ends at once when a side was already closed before the splice began", async () => {
    // Regression: splice counted only 'close' events, so a socket that had closed before it was
    // called (a client that reset while the peer leg was set up) left the tunnel open forever,
    // holding its limiter slot and the other leg until the idle timeout.
    const client = await pair();
    const upstream = await pair();
    const gone = new Promise((resolve) => client.near.once("close", resolve));
    client.near.destroy();
    await gone;
    const upstreamEnded = new Promise((resolve) => upstream.far.once("end", resolve));
    upstream.far.resume();
    const result = await splice({ socket: client.near, raw: client.near }, { socket: upstream.near, raw: upstream.near }, {
      idleTimeoutMs: 60_000,
    }).done;
    expect(result.outcome).toBe("client_reset");
    await upstreamEnded; // the other leg was closed too
  });
});
