// Lets an HTTP/2 CONNECT stream (RFC 9113 §8.5) take the place of a socket in splice(): the stream
// is a Duplex with the same events, half-close is END_STREAM, and a reset is RST_STREAM with
// CONNECT_ERROR, which is how §8.5 says a TCP reset crosses an HTTP/2 hop, both ways.
import http2 from "node:http2";
import type net from "node:net";
import type { SpliceEnd } from "./splice.ts";

/**
 * A SpliceEnd for `stream`. splice() uses only what a stream has too (data, write/drain, end,
 * pause/resume, destroy, setTimeout, writableFinished, error/close); the "raw socket" it resets
 * becomes RST_STREAM(CONNECT_ERROR).
 */
export function h2StreamEnd(stream: http2.Http2Stream): SpliceEnd {
  const raw = { resetAndDestroy: () => resetStream(stream, http2.constants.NGHTTP2_CONNECT_ERROR) };
  return { socket: stream as unknown as net.Socket, raw: raw as unknown as net.Socket };
}

/**
 * Sends RST_STREAM(`code`) on `stream` and destroys it, with no END_STREAM before the reset.
 *
 * Http2Stream.close() first ends the writable side (which queues END_STREAM), and Node flushes what
 * is queued ahead of a RST_STREAM (Http2Stream::SubmitRstStream sends pending data first, so that
 * nghttp2 does not let the reset overtake it). The other node then read a FIN, passed it on as one,
 * and only then saw the reset: a service reset reached the client as a clean end in 9 runs of 13
 * (issue 9). A reset is not a FIN, so the writable side is finished here without the shutdown that
 * would send END_STREAM.
 */
export function resetStream(stream: http2.Http2Stream, code: number): void {
  if (stream.destroyed) return;
  if (stream.closed) {
    stream.destroy();
    return;
  }
  stream._final = (callback: (error?: Error | null) => void): void => callback();
  stream.close(code);
}

/**
 * Marks the error a stream reports when the other node reset it with CONNECT_ERROR as a routine
 * reset (ECONNRESET), so both modes log the same `client_reset` / `upstream_reset` outcomes.
 */
export function treatConnectErrorAsReset(stream: http2.Http2Stream): void {
  // A reset from the other node arrives as 'aborted', then 'error' (ERR_HTTP2_STREAM_ERROR), with no
  // 'end' before them, since resetStream() sends no END_STREAM ahead of the RST_STREAM.
  stream.prependListener("error", (err: NodeJS.ErrnoException) => {
    if (stream.rstCode === http2.constants.NGHTTP2_CONNECT_ERROR) {
      Object.defineProperty(err, "code", { value: "ECONNRESET", configurable: true, writable: true });
    }
  });
}
