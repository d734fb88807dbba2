// Reads a client's request (or one message of it) before a deadline shared by the whole request:
// a door that reads several messages (SOCKS5) gets one budget, not one per message (slowloris).
import type net from "node:net";
import { readUntil, ReadUntilError } from "@tlsbridge/transport";
import { TunnelError } from "@tlsbridge/wire";

/**
 * readUntil() until `deadline` (a performance.now() time); a timeout becomes TLSB_ERR_HEAD_TIMEOUT,
 * a client that left stays a ReadUntilError.
 */
export async function readWithinDeadline<T>(client: net.Socket, consume: (chunk: Buffer) => T | null, deadline: number): Promise<T> {
  return await readUntil(client, consume, Math.max(1, deadline - performance.now()))
    .catch((err: unknown) => {
      throw err instanceof ReadUntilError && err.reason === "timeout"
        ? new TunnelError("TLSB_ERR_HEAD_TIMEOUT", "request head not received in time", { cause: err })
        : err;
    });
}
