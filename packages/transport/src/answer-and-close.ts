// Sends a final response and closes without losing it: ending at once while the client is still
// sending would make the kernel answer with an RST that can destroy the response before the client
// reads it, so unread input is drained for a short while first.
import type net from "node:net";

/** How long a refused client may keep sending before the socket is destroyed. */
export const DEFAULT_LINGER_MS = 2_000;

/** Writes `response`, half-closes, discards input until the client closes (the socket then closes
 * by itself) or `lingerMs` passes. */
export function answerAndClose(socket: net.Socket, response: Buffer, lingerMs = DEFAULT_LINGER_MS): void {
  if (socket.destroyed) return;
  socket.on("error", () => socket.destroy());
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  socket.on("data", () => {});
  socket.end(response);
  socket.resume();
}
