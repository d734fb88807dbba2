// Half-close carried across all three hops in both directions: the client's FIN reaches the service
// while answers still flow back, and the service's FIN reaches the client while the client keeps
// sending (ghostunnel's "client half-close, return traffic" and its mirror image).
//
// Regression (found by request-head-fuzz.test.ts): a client that sent its CONNECT and shut down its
// write side at once (`printf 'CONNECT ...' | nc -N`, or a request with early data and FIN in one
// go) never had its FIN delivered: Node emitted 'end' on the paused client socket while the ingress
// was still dialing the peer, before splice listened for it, so the service waited for a FIN that
// never came and the tunnel hung until the idle timeout. splice.ts now ends the other side at once
// when the reader has already ended.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough, sendRaw } from "../helpers/connect-client.ts";
import { listenOnLoopback, startCountUntilFinService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { readToEnd, waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

/** Sends `greeting` and FIN first, then counts what the client sends until the client's FIN. */
function startGreetThenCountService(greeting: string): Promise<TestService> {
  const counts: number[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => {});
    let received = 0;
    socket.end(greeting); // our write side is done before the client says anything
    socket.on("data", (chunk: Buffer) => (received += chunk.length));
    socket.on("end", () => {
      counts.push(received);
      socket.destroy();
    });
  });
  return listenOnLoopback(server).then((service) => ({ ...service, counts }) as TestService & { counts: number[] });
}

describe("half-close in both directions", () => {
  let nodes: TwoNodes;
  let counter: TestService;
  let greeter: TestService & { counts?: number[] };
  beforeAll(async () => {
    counter = await startCountUntilFinService();
    greeter = await startGreetThenCountService("hello, I am done talking");
    // A long idle timeout: a lost FIN must show up as a test timeout, not be rescued by the idle timer.
    nodes = await startTwoNodes({ ingressLimits: { idleTimeoutMs: 60_000 }, peerLimits: { idleTimeoutMs: 60_000 } });
  });
  afterAll(async () => {
    await nodes.close();
    await counter.close();
    await greeter.close();
  });

  it("CONNECT, early data and FIN in one write: the FIN still reaches the service (regression)", async () => {
    const socket = net.connect({ port: nodes.ingressPort, host: "127.0.0.1", allowHalfOpen: true });
    await new Promise((resolve) => socket.once("connect", resolve));
    const reply = readToEnd(socket);
    socket.end(`CONNECT localhost:${counter.port} HTTP/1.1\r\nHost: localhost:${counter.port}\r\n\r\n12345`);
    const { data, ended } = await reply;
    expect(ended).toBe("end");
    expect(data.toString()).toBe("HTTP/1.1 200 Connection Established\r\n\r\nreceived 5 bytes");
    const close = await nodes.ingressLog.waitFor("tunnel.close", (l) => l.target === `localhost:${counter.port}`);
    expect(close.outcome).toBe("done");
  });

  it("the CONNECT head alone, then FIN before the peer answered: the service sees an empty request", async () => {
    const tunnel = await sendRaw(nodes.ingressPort, `CONNECT localhost:${counter.port} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(tunnel.status).toBe(200);
    const reply = readToEnd(tunnel.socket, tunnel.rest);
    tunnel.socket.end();
    expect((await reply).data.toString()).toBe("received 0 bytes");
  });

  it("the service's FIN reaches the client, which keeps sending 1 MiB that the service still receives", async () => {
    const tunnel = await connectThrough(nodes.ingressPort, `localhost:${greeter.port}`);
    expect(tunnel.status).toBe(200);
    const reply = readToEnd(tunnel.socket, tunnel.rest);
    const { data, ended } = await reply; // the service's FIN arrives while our side is still open
    expect(ended).toBe("end");
    expect(data.toString()).toBe("hello, I am done talking");
    expect(tunnel.socket.writable).toBe(true);
    const chunk = Buffer.alloc(64 * 1024, 7);
    for (let i = 0; i < 16; i++) {
      if (!tunnel.socket.write(chunk)) await new Promise((resolve) => tunnel.socket.once("drain", resolve));
    }
    const closed = new Promise((resolve) => tunnel.socket.once("close", resolve));
    tunnel.socket.end();
    await closed;
    const close = await nodes.peerLog.waitFor("tunnel.close", (l) => l.target === `localhost:${greeter.port}`);
    expect(close.bytesUp).toBe(16 * 64 * 1024);
    await waitUntil(() => greeter.counts?.length === 1, "the service to see the client's FIN");
    expect(greeter.counts).toEqual([16 * 64 * 1024]);
    expect(close.outcome).toBe("done");
  });
});
