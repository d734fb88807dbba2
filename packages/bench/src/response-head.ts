// Finds the end of a proxy's answer to CONNECT and its status code. The generator's own tiny
// parser: it must not share code with the tunnel it measures, and bytes past the head are tunnel data.

const CRLFCRLF = Buffer.from("\r\n\r\n");

/** The parsed response head and the tunnel bytes that followed it in the same reads. */
export type ResponseHead = { status: number; head: string; rest: Buffer };

/**
 * Looks for a complete head in `buf` (everything read so far). Returns undefined while the head
 * is incomplete; throws on a malformed status line or a head longer than `limit` bytes.
 */
export function parseResponseHead(buf: Buffer, limit = 16 * 1024): ResponseHead | undefined {
  const end = buf.indexOf(CRLFCRLF);
  if (end < 0) {
    if (buf.length > limit) throw new Error(`response head longer than ${limit} bytes`);
    return undefined;
  }
  const head = buf.subarray(0, end).toString("latin1");
  const m = /^HTTP\/1\.[01] (\d{3})(?: |\r|$)/.exec(head);
  if (!m) throw new Error(`malformed status line: ${JSON.stringify(head.slice(0, 60))}`);
  return { status: Number(m[1]), head, rest: buf.subarray(end + 4) };
}
