// HTTP/2 settings both nodes use for the multiplexed mode (RFC 9113 §6.5.2, §6.9): flow-control
// windows big enough that one bulk tunnel is never held back by WINDOW_UPDATE round trips, while a
// stalled reader can still only park a bounded amount of data in the other node.
import type http2 from "node:http2";

/**
 * Per-stream receive window: what one tunnel may have in flight towards a reader, and so what a
 * stalled reader can park in the node (16 MiB). One tunnel moves at most window / RTT: 16 MiB
 * covers the bandwidth-delay product of 1 Gbit/s up to 130 ms (4 MiB capped it at 80 MB/s at 50 ms,
 * issue 13). The kernel's socket buffers must cover it too (tcp_rmem/tcp_wmem: docs/deployment.md).
 */
export const H2_STREAM_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * Connection receive window, shared by all tunnels of one ingress-peer connection (128 MiB): eight
 * stalled readers' worth, so a few of them cannot starve the other tunnels on the connection.
 */
export const H2_CONNECTION_WINDOW_BYTES = 128 * 1024 * 1024;

/** Streams (tunnels) one connection may carry at once; more are refused with REFUSED_STREAM. */
export const H2_MAX_CONCURRENT_STREAMS = 10_000;

/** SETTINGS both ends send. */
export const H2_SETTINGS: http2.Settings = {
  enablePush: false,
  initialWindowSize: H2_STREAM_WINDOW_BYTES,
  maxConcurrentStreams: H2_MAX_CONCURRENT_STREAMS,
  // Bigger frames: fewer frame headers and fewer writes for bulk data (RFC 9113 §4.2).
  maxFrameSize: 64 * 1024,
};

/**
 * Raises a session's connection receive window to H2_CONNECTION_WINDOW_BYTES (SETTINGS only sets the
 * per-stream window, RFC 9113 §6.9.2). A session that is already closing keeps its window: the next
 * tunnel opens a new one.
 */
export function widenConnectionWindow(session: http2.Http2Session): void {
  try {
    session.setLocalWindowSize(H2_CONNECTION_WINDOW_BYTES);
  } catch {
    // closed already
  }
}

/** nghttp2's per-session memory budget in MB: windows above need more than Node's 10 MB default. */
export const H2_MAX_SESSION_MEMORY_MB = 256;
