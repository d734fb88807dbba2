// Bytes through the tunnel arrive whole and in order: 64 MiB each way with a checksum, early data
// pipelined right after the CONNECT head, and half-close carried across all three hops.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThrough, sendRaw } from "../helpers/connect-client.ts";
import { startCountUntilFinService, startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const MiB = 1024 * 1024;

describe("data through the tunnel", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  let counter: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
    counter = await startCountUntilFinService();
    nodes = await startTwoNodes();
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
    await counter.close();
  });

  it("moves 64 MiB each way through an echo service with matching SHA-256", async () => {
    const tunnel = await connectThrough(nodes.ingressPort, `localhost:${echo.port}`);
    expect(tunnel.status).toBe(200);
    const sent = createHash("sha256");
    const received = createHash("sha256");
    let receivedBytes = tunnel.rest.length;
    received.update(tunnel.rest);
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
    for (let i = 0; i < 64; i++) {
      block.writeUInt32BE(i, 0); // every MiB differs, so reordering would change the hash
      sent.update(block);
      if (!tunnel.socket.write(Buffer.from(block))) await new Promise((r) => tunnel.socket.once("drain", r));
    }
    tunnel.socket.end();
    await done;
    expect(receivedBytes).toBe(64 * MiB);
    expect(received.digest("hex")).toBe(sent.digest("hex"));
    const close = await nodes.ingressLog.waitFor("tunnel.close", (l) => l.bytesUp === 64 * MiB);
    expect(close.bytesDown).toBe(64 * MiB);
    expect(close.outcome).toBe("done");
  }, 60_000);

  it("delivers bytes the client pipelined right after the CONNECT head", async () => {
    const tunnel = await sendRaw(
      nodes.ingressPort,
      `CONNECT localhost:${echo.port} HTTP/1.1\r\nHost: localhost:${echo.port}\r\n\r\nearly bytes`,
    );
    expect(tunnel.status).toBe(200);
    let echoed = tunnel.rest.toString();
    tunnel.socket.on("data", (chunk: Buffer) => (echoed += chunk.toString()));
    tunnel.socket.resume();
    tunnel.socket.end();
    await new Promise((resolve) => tunnel.socket.on("end", resolve));
    expect(echoed).toBe("early bytes");
  });

  it("carries a client's half-close to the service and still delivers the whole answer", async () => {
    const tunnel = await connectThrough(nodes.ingressPort, `localhost:${counter.port}`);
    expect(tunnel.status).toBe(200);
    let answer = tunnel.rest.toString();
    tunnel.socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    tunnel.socket.resume();
    tunnel.socket.write("x".repeat(100_000));
    tunnel.socket.end(); // shut down our write side only: the service answers after this FIN
    await new Promise((resolve) => tunnel.socket.on("end", resolve));
    expect(answer).toBe("received 100000 bytes");
  });
});
