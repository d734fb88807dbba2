// What watchCloseNotify() tells apart, on real TLS 1.3 sockets (issue 9). Node reports both endings
// below as 'end' on a TLSSocket (src/crypto/crypto_tls.cc: a close_notify makes SSL_read return
// ZERO_RETURN and a bare TCP EOF is passed on as EOF; OpenSSL never sees the TCP EOF, so its
// unexpected-EOF error cannot fire). Watched, a stream that ends without close_notify errors with
// TLSB_ERR_LINK_LOST instead, and one that ends with it still ends, paused reader or not, with the
// other direction still open (half-close).
import net from "node:net";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { watchCloseNotify } from "@tlsbridge/transport";
import { testPki } from "../helpers/pki.ts";

type Ending = "close_notify" | "tcp_fin" | "tcp_destroy";
const BYTES = 1024 * 1024;

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/**
 * A TLS server that sends BYTES and then ends as told; the client side, watched, reading at full
 * speed or pausing after every chunk. Resolves with what the client saw, and whether the server
 * still received the client's bytes after its own end (half-close).
 */
async function run(ending: Ending, slowReader: boolean): Promise<{ events: string[]; received: number; serverGot: number }> {
  const pki = await testPki();
  let serverGot = 0;
  const server = tls.createServer({ cert: pki.peer.cert, key: pki.peer.key, allowHalfOpen: true, minVersion: "TLSv1.3" }, (socket) => {
    const raw = (socket as unknown as { _parent: net.Socket })._parent;
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => (serverGot += chunk.length));
    socket.write(Buffer.alloc(BYTES, 1), () => {
      if (ending === "close_notify") socket.end();
      else if (ending === "tcp_fin") raw.end();
      else raw.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  const raw = net.connect({ port: (server.address() as net.AddressInfo).port, host: "127.0.0.1", allowHalfOpen: true });
  await new Promise((resolve) => raw.once("connect", resolve));
  const socket = tls.connect({ socket: raw, ca: pki.ca.cert, servername: "localhost", allowHalfOpen: true } as tls.ConnectionOptions);
  closers.push(() => socket.destroy());
  await new Promise((resolve) => socket.once("secureConnect", resolve));
  watchCloseNotify(socket, raw);
  const events: string[] = [];
  let received = 0;
  socket.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (slowReader) {
      socket.pause();
      setTimeout(() => socket.resume(), 1);
    }
  });
  socket.on("error", (err: NodeJS.ErrnoException) => events.push(`error ${String(err.code)}`));
  socket.on("end", () => {
    events.push("end");
    // Half-close: our direction is still open after the server's end.
    socket.end(Buffer.alloc(1000, 2));
  });
  await new Promise((resolve) => socket.once("close", resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { events, received, serverGot };
}

describe("watchCloseNotify", () => {
  for (const slowReader of [false, true]) {
    describe(slowReader ? "reader pausing after every chunk" : "reader at full speed", () => {
      it("close_notify then FIN: 'end', every byte, and the other direction still flows", async () => {
        for (let i = 0; i < 3; i++) {
          expect(await run("close_notify", slowReader)).toEqual({ events: ["end"], received: BYTES, serverGot: 1000 });
        }
      });

      it.each(["tcp_fin", "tcp_destroy"] as const)("%s with no close_notify: TLSB_ERR_LINK_LOST, never 'end'", async (ending) => {
        for (let i = 0; i < 3; i++) {
          const seen = await run(ending, slowReader);
          expect(seen.events).toEqual(["error TLSB_ERR_LINK_LOST"]);
          expect(seen.received).toBeLessThanOrEqual(BYTES);
        }
      });
    });
  }
});
