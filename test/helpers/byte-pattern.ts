// A byte stream whose every prefix can be checked: services that send it without end, or check
// what they receive against it, so a truncated transfer can be told from a corrupted one.
import { randomBytes } from "node:crypto";
import net from "node:net";
import { listenOnLoopbackTracked } from "./services.ts";
import type { TrackedService } from "./services.ts";

// An odd length, so a chunk shifted by any whole number of blocks still fails the check.
const BLOCK = randomBytes(256 * 1024 + 7);

/** Byte `offset` onwards of the pattern, `length` bytes. */
export function patternAt(offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  while (at < length) {
    const from = (offset + at) % BLOCK.length;
    at += BLOCK.copy(out, at, from, Math.min(BLOCK.length, from + length - at));
  }
  return out;
}

/** Checks chunks, in order, against the pattern from offset 0. */
export class PatternChecker {
  received = 0;
  /** Offset of the first byte that differs from the pattern, or -1. */
  firstMismatch = -1;

  push(chunk: Buffer): void {
    if (this.firstMismatch < 0 && !chunk.equals(patternAt(this.received, chunk.length))) {
      const expected = patternAt(this.received, chunk.length);
      let i = 0;
      while (chunk[i] === expected[i]) i += 1;
      this.firstMismatch = this.received + i;
    }
    this.received += chunk.length;
  }
}

/** How a socket's reading side ended. */
export type ReadEnd = { readonly how: "end" | "error"; readonly code?: string };

/** Reads `socket` (after `already`) into `checker` until it ends or errors. */
export function readPattern(socket: net.Socket, checker: PatternChecker, already: Buffer = Buffer.alloc(0)): Promise<ReadEnd> {
  if (already.length > 0) checker.push(already);
  return new Promise((resolve) => {
    socket.on("data", (chunk: Buffer) => checker.push(chunk));
    socket.once("end", () => resolve({ how: "end" }));
    socket.once("error", (err: NodeJS.ErrnoException) => resolve({ how: "error", ...(err.code !== undefined ? { code: err.code } : {}) }));
    socket.resume();
  });
}

/** Writes the pattern into `socket` without end, with backpressure, until it closes; bytes written. */
export function writePattern(socket: net.Socket): { written: () => number } {
  let written = 0;
  const pump = (): void => {
    while (!socket.destroyed && socket.writable) {
      const chunk = patternAt(written, 64 * 1024);
      written += chunk.length;
      if (!socket.write(chunk)) {
        socket.once("drain", pump);
        return;
      }
    }
  };
  socket.on("error", () => {});
  pump();
  return { written: () => written };
}

/** A service that sends the pattern without end to each connection. */
export function startPatternSource(): Promise<TrackedService> {
  return listenOnLoopbackTracked(net.createServer({ allowHalfOpen: true }, (socket) => void writePattern(socket)));
}

/** A service that checks what each connection sends against the pattern; `connections` in order of arrival. */
export async function startPatternSink(): Promise<TrackedService & { connections: Array<{ checker: PatternChecker; ended: Promise<ReadEnd> }> }> {
  const connections: Array<{ checker: PatternChecker; ended: Promise<ReadEnd> }> = [];
  const service = await listenOnLoopbackTracked(net.createServer({ allowHalfOpen: true }, (socket) => {
    const checker = new PatternChecker();
    connections.push({ checker, ended: readPattern(socket, checker) });
  }));
  return Object.assign(service, { connections });
}
