// Test helper: every way of cutting a byte fixture into reads (whole, a byte at a time, split at
// every index), and a driver that feeds those reads to a HeadReader like a socket would.
import { HeadReader } from "./head-reader.ts";
import type { ErrorCode } from "./status-table.ts";

/** Named ways to cut `buf` into chunks: whole, byte-at-a-time, and two pieces at every index. */
export function* cuts(buf: Buffer): Generator<[string, Buffer[]]> {
  yield ["whole", [buf]];
  const bytes: Buffer[] = [];
  for (let i = 0; i < buf.length; i++) bytes.push(buf.subarray(i, i + 1));
  yield ["byte at a time", bytes];
  for (let i = 0; i <= buf.length; i++) yield [`split at ${i}`, [buf.subarray(0, i), buf.subarray(i)]];
}

/** Cuts `buf` at the given (unsorted, possibly repeated) offsets. */
export function cutAt(buf: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => Math.max(0, Math.min(buf.length, o))))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

/** Feeds `chunks` to a fresh HeadReader; bytes after the head (same read or later) join `rest`. */
export function readHead(
  chunks: Buffer[],
  limit = 64 * 1024,
  code: ErrorCode = "TLSB_ERR_HEAD_TOO_LARGE",
): { head: Buffer; rest: Buffer } | null {
  const reader = new HeadReader(limit, code);
  let found: { head: Buffer; rest: Buffer } | null = null;
  const later: Buffer[] = [];
  for (const c of chunks) {
    if (found !== null) later.push(c);
    else found = reader.push(c);
    if (reader.bufferedBytes > limit) throw new Error(`buffered ${reader.bufferedBytes} > limit ${limit}`);
  }
  if (found === null) return null;
  return { head: found.head, rest: Buffer.concat([found.rest, ...later]) };
}
