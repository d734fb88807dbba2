// The load generator's client side of one tunnel: TCP connect, optionally CONNECT and its 200,
// then helpers to move bytes through it. Every wait has a deadline; sockets are destroyed on error.

import net from "node:net";
import { parseResponseHead } from "./response-head.ts";
import type { Endpoint } from "./sut.ts";

/** An open tunnel: bytes written to `socket` reach the target; `rest` already came from it. */
export type OpenTunnel = {
  socket: net.Socket;
  rest: Buffer;
  /** ms from the start of the TCP connect to the proxy's 200; undefined for relays. */
  setupMs: number | undefined;
  /** performance.now() when the TCP connect began. */
  startedAt: number;
};

function connectRequest(authority: string): string {
  return `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`;
}

/** Opens a tunnel through `ep` within `timeoutMs`. */
export function openTunnel(ep: Endpoint, timeoutMs: number): Promise<OpenTunnel> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port: ep.port, noDelay: true });
    let buf: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`tunnel setup timed out after ${timeoutMs} ms`)), timeoutMs);
    function cleanup(): void {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("error", fail);
      socket.off("close", onClose);
      socket.off("connect", onConnect);
    }
    function fail(err: Error): void {
      cleanup();
      socket.destroy();
      reject(err);
    }
    function onClose(): void {
      fail(new Error("closed during tunnel setup"));
    }
    function onConnect(): void {
      if (ep.connectAuthority === undefined) {
        cleanup();
        socket.pause(); // readUntil resumes: no byte is emitted with nobody listening
        resolve({ socket, rest: Buffer.alloc(0), setupMs: undefined, startedAt });
        return;
      }
      socket.write(connectRequest(ep.connectAuthority));
    }
    function onData(chunk: Buffer): void {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let head;
      try {
        head = parseResponseHead(buf);
      } catch (err) {
        fail(err as Error);
        return;
      }
      if (!head) return;
      if (head.status !== 200) {
        fail(new Error(`proxy answered ${head.head.split("\r\n")[0]}`));
        return;
      }
      cleanup();
      socket.pause();
      resolve({ socket, rest: head.rest, setupMs: performance.now() - startedAt, startedAt });
    }
    socket.on("connect", onConnect);
    socket.on("data", onData);
    socket.on("error", fail);
    socket.on("close", onClose);
  });
}

/**
 * Reads from the tunnel until `done(total, chunk)` says stop, starting with `rest`; rejects on
 * close, error or timeout. `done` sees every chunk; the resolved value is the total byte count.
 */
export function readUntil(
  t: OpenTunnel,
  timeoutMs: number,
  done: (total: number, chunk: Buffer) => boolean,
): Promise<number> {
  const { socket } = t;
  return new Promise((resolve, reject) => {
    let total = 0;
    const timer = setTimeout(() => finish(new Error(`read timed out after ${timeoutMs} ms (${total} bytes)`)), timeoutMs);
    function finish(err?: Error): void {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve(total);
      }
    }
    function onData(chunk: Buffer): void {
      total += chunk.length;
      if (done(total, chunk)) finish();
    }
    function onError(err: Error): void {
      finish(err);
    }
    function onClose(): void {
      finish(new Error(`closed after ${total} bytes`));
    }
    socket.on("data", onData);
    socket.on("error", onError);
    socket.on("close", onClose);
    socket.resume();
    const first = t.rest;
    t.rest = Buffer.alloc(0);
    if (first.length > 0) onData(first);
  });
}

/** Writes `size` bytes (from a repeated block) honouring backpressure. */
export async function writeBytes(socket: net.Socket, size: number, block: Buffer): Promise<void> {
  let left = size;
  while (left > 0) {
    const n = Math.min(left, block.length);
    left -= n;
    if (!socket.write(n === block.length ? block : block.subarray(0, n))) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          socket.off("close", onClose);
          resolve();
        };
        const onClose = (): void => {
          socket.off("drain", onDrain);
          reject(new Error("closed while writing"));
        };
        socket.once("drain", onDrain);
        socket.once("close", onClose);
      });
    }
  }
}
