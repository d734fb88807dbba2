// Reads from a socket until a consumer says it has what it needs (a whole head), within a
// deadline. The socket is paused the moment the consumer is satisfied, so no byte after it is lost.
import type { Duplex } from "node:stream";

/** The socket closed or timed out before the consumer was satisfied. */
export class ReadUntilError extends Error {
  readonly code = "TLSB_ERR_READ";
  readonly reason: "timeout" | "closed";
  /** Bytes the socket delivered before it ended (0: the other side sent nothing). */
  readonly bytesRead: number;

  constructor(reason: "timeout" | "closed", bytesRead: number, options: { cause?: unknown } = {}) {
    super(reason === "timeout" ? "read timed out" : "connection closed while reading", options);
    this.name = "ReadUntilError";
    this.reason = reason;
    this.bytesRead = bytesRead;
  }
}

/**
 * Feeds every chunk to `consume` until it returns a value. `consume` may throw (a protocol error),
 * which rejects the promise. Afterwards the socket is paused with no listeners of ours left on it.
 */
export function readUntil<T>(socket: Duplex, consume: (chunk: Buffer) => T | null, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let bytesRead = 0;
    const finish = (): void => {
      clearTimeout(timer);
      socket.pause();
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("error", onError);
      socket.off("close", onEnd);
    };
    const onData = (chunk: Buffer): void => {
      bytesRead += chunk.length;
      let result: T | null;
      try {
        result = consume(chunk);
      } catch (err) {
        finish();
        reject(err);
        return;
      }
      if (result !== null) {
        finish();
        resolve(result);
      }
    };
    const onEnd = (): void => {
      finish();
      reject(new ReadUntilError("closed", bytesRead));
    };
    const onError = (err: Error): void => {
      finish();
      reject(new ReadUntilError("closed", bytesRead, { cause: err }));
    };
    const timer = setTimeout(() => {
      finish();
      reject(new ReadUntilError("timeout", bytesRead));
    }, timeoutMs);
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("close", onEnd);
    socket.once("error", onError);
    socket.resume();
  });
}
