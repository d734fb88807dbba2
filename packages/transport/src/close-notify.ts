// Tells a TLS stream that ended with the other node's close_notify from one that just stopped (a
// TCP FIN or a killed process): Node reports both as 'end' (issue 9). A FIN without close_notify is
// a truncation (RFC 8446 §6.1), so the watched socket is destroyed with a TLSB_ERR_LINK_LOST error
// instead, and splice() resets the other leg rather than passing a FIN on.
//
// How it is told (Node 24, src/crypto/crypto_tls.cc): a close_notify makes SSL_read return
// ZERO_RETURN while the TLS layer digests bytes the TCP handle just read, so libuv is still reading
// the TCP handle when the TLS handle reports EOF; a bare TCP EOF is reported after libuv stopped
// reading it (uv__stream_eof clears UV_HANDLE_READING first). Asking the TCP handle to start
// reading at that moment answers UV_EALREADY in the first case only. The one other way libuv stops
// reading is our own pause (the TLS handle's `reading` is then false): that EOF came from a record,
// hence a close_notify.
//
//   EOF reported by the TLS handle ─┬─ TCP readStart() = EALREADY ──────────────▶ close_notify: 'end'
//                                   ├─ TLS handle paused by us (reading false) ─▶ close_notify: 'end'
//                                   └─ otherwise ───────────────────────────────▶ truncated: destroy(LINK_LOST)
import type net from "node:net";
import type tls from "node:tls";
import { getSystemErrorName } from "node:util";

/**
 * The link to the other node was lost, not closed: its TLS stream ended without close_notify, or an
 * HTTP/2 connection ended (or stopped answering PINGs) with tunnels open and no GOAWAY.
 */
export class LinkLostError extends Error {
  readonly code = "TLSB_ERR_LINK_LOST";

  constructor(message = "the TLS stream ended without close_notify (the other node or the network went away)") {
    super(message);
    this.name = "LinkLostError";
  }
}

/** Whether `err` says the link under a stream was lost (see {@link watchCloseNotify}). */
export function isLinkLost(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "TLSB_ERR_LINK_LOST";
}

/** The parts of Node's stream handles this relies on (not public API; absent: nothing is watched). */
type StreamHandle = {
  onread: (arrayBuffer: unknown) => unknown;
  reading?: boolean;
  readStart?: () => number;
  readStop?: () => number;
};

/**
 * Watches how `socket`'s read side ends. Call it before anything reads the socket past the
 * handshake (a truncation reported before this is not seen). `raw` is the TCP socket under it.
 */
export function watchCloseNotify(socket: tls.TLSSocket, raw: net.Socket): void {
  const handle = (socket as unknown as { _handle?: StreamHandle | null })._handle;
  const tcp = (raw as unknown as { _handle?: StreamHandle | null })._handle;
  if (raw === (socket as net.Socket) || handle == null || tcp == null || typeof tcp.readStart !== "function") return;
  const onread = handle.onread;
  const state = (socket as unknown as { _readableState: { ended: boolean } })._readableState;
  // One argument, as Node calls it (stream_base_commons' onStreamRead): no rest array per chunk.
  handle.onread = function (this: StreamHandle, arrayBuffer: unknown): unknown {
    const result = onread.call(this, arrayBuffer);
    // Only the call that pushed the end of the stream matters; data chunks pass straight through.
    if (state.ended && !socket.destroyed) {
      handle.onread = onread;
      if (truncated(handle, tcp)) socket.destroy(new LinkLostError());
    }
    return result;
  };
}

function truncated(handle: StreamHandle, tcp: StreamHandle): boolean {
  const answer = (tcp.readStart as () => number).call(tcp);
  if (answer === 0) tcp.readStop?.call(tcp); // leave libuv as we found it
  if (answer < 0 && getSystemErrorName(answer) === "EALREADY") return false; // still reading: a record ended it
  return handle.reading !== false;
}
