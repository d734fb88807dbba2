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
  const raw = {
    resetAndDestroy: () => {
      // close() sends the RST_STREAM and then destroys the stream; destroying it ourselves first
      // would send NO_ERROR instead.
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_CONNECT_ERROR);
      else stream.destroy();
    },
  };
  return { socket: stream as unknown as net.Socket, raw: raw as unknown as net.Socket };
}

/**
 * Marks the error a stream reports when the other node reset it with CONNECT_ERROR as a routine
 * reset (ECONNRESET), so both modes log the same `client_reset` / `upstream_reset` outcomes.
 */
export function treatConnectErrorAsReset(stream: http2.Http2Stream): void {
  // Node ends the readable side of a stream reset by the other node ('end', then 'aborted', then
  // 'error', and rstCode is only known after 'end'), which splice() would pass on as a FIN before
  // the reset. A reset socket never says 'end', so 'end' is held back one turn of the event loop
  // and dropped when the stream turns out to be reset with CONNECT_ERROR (a TCP reset, §8.5).
  const emit = stream.emit;
  stream.emit = function (this: http2.Http2Stream, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== "end") return emit.call(this, event, ...args);
    setImmediate(() => {
      if (this.rstCode !== http2.constants.NGHTTP2_CONNECT_ERROR) emit.call(this, event, ...args);
    });
    return true;
  } as typeof stream.emit;
  stream.prependListener("error", (err: NodeJS.ErrnoException) => {
    if (stream.rstCode === http2.constants.NGHTTP2_CONNECT_ERROR) {
      Object.defineProperty(err, "code", { value: "ECONNRESET", configurable: true, writable: true });
    }
  });
}
