// Regression guard for the llhttp-wasm 1.0.3 pitfall: values that straddle two `execute` calls
// come back cut (a split at byte 12 of `CONNECT example.com:443` once gave `ple.com:443`). A client
// whose CONNECT arrives in many TCP segments must still reach exactly the target it asked for.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

/** Writes `text` one segment at a time (Nagle off, a pause between writes so segments stay apart). */
async function writeInSegments(socket: net.Socket, text: string, sizes: readonly number[]): Promise<void> {
  let at = 0;
  for (let i = 0; at < text.length; i++) {
    const size = sizes[i % sizes.length] as number;
    socket.write(text.slice(at, at + size));
    at += size;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("a CONNECT head split across TCP segments", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
    // Only the exact target is routed: a cut host would be refused with 403 instead.
    nodes = await startTwoNodes({ rules: [{ match: "localhost", peer: "cloud" }] });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });

  for (const sizes of [[1], [3, 7], [12, 200]]) {
    it(`reaches the right target when segments are ${sizes.join(", ")} bytes`, async () => {
      const socket = net.connect({ port: nodes.ingressPort, host: "127.0.0.1", noDelay: true });
      await new Promise((resolve) => socket.once("connect", resolve));
      let received = "";
      socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
      const head = `CONNECT localhost:${echo.port} HTTP/1.1\r\nHost: localhost:${echo.port}\r\nUser-Agent: segmented/1.0\r\n\r\n`;
      await writeInSegments(socket, `${head}ping`, sizes);
      await expect.poll(() => received, { timeout: 5_000 }).toBe("HTTP/1.1 200 Connection Established\r\n\r\nping");
      const open = await nodes.peerLog.waitFor("tunnel.open", (l) => l.target === `localhost:${echo.port}`);
      expect(open.target).toBe(`localhost:${echo.port}`);
      socket.destroy();
    });
  }
});
