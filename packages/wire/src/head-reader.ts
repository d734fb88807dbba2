// Collects one HTTP head from a byte stream under a hard size limit and hands back the bytes that
// followed it, which already belong to the tunnel (Node calls them `bodyHead`).
import { HeadScanner } from "./head-scanner.ts";
import { TunnelError } from "./errors.ts";
import type { ErrorCode } from "./status-table.ts";

/** A complete head and the bytes that arrived after it in the same chunk. */
export type HeadAndRest = { head: Buffer; rest: Buffer };

/**
 * Bounded head reader: `push` chunks until it returns `{ head, rest }`. Throws
 * `TunnelError(tooLargeCode)` as soon as more than `limitBytes` arrive without a complete head;
 * it never holds more than `limitBytes` bytes. Chunks are kept by reference, not copied.
 */
export class HeadReader {
  readonly limitBytes: number;
  readonly tooLargeCode: ErrorCode;
  #scanner = new HeadScanner();
  #chunks: Buffer[] = [];
  #buffered = 0;
  #finished = false;

  constructor(limitBytes: number, tooLargeCode: ErrorCode) {
    if (!Number.isSafeInteger(limitBytes) || limitBytes < 4) {
      throw new RangeError(`HeadReader limit must be an integer >= 4, got ${limitBytes}`);
    }
    this.limitBytes = limitBytes;
    this.tooLargeCode = tooLargeCode;
  }

  /** Feeds one chunk; returns null while the head is incomplete. */
  push(chunk: Buffer): HeadAndRest | null {
    if (this.#finished) throw new Error("HeadReader: push after the head was returned or refused");
    if (chunk.length === 0) return null;
    const room = this.limitBytes - this.#buffered;
    const window = chunk.length > room ? chunk.subarray(0, room) : chunk;
    const end = this.#scanner.scan(window);
    if (end >= 0) {
      this.#finished = true;
      const last = chunk.subarray(0, end);
      const head = this.#chunks.length === 0
        ? last
        : Buffer.concat([...this.#chunks, last], this.#buffered + end);
      this.#chunks = [];
      this.#buffered = 0;
      return { head, rest: chunk.subarray(end) };
    }
    if (window.length < chunk.length) {
      this.#finished = true;
      const state = this.#scanner.state;
      this.#chunks = [];
      this.#buffered = 0;
      throw new TunnelError(
        this.tooLargeCode,
        `head larger than ${this.limitBytes} bytes (scanner state ${state} at offset ${this.limitBytes})`,
        { details: `head larger than ${this.limitBytes} bytes` },
      );
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    return null;
  }

  /** Bytes held so far (never more than `limitBytes`). */
  get bufferedBytes(): number {
    return this.#buffered;
  }
}
