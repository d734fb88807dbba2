// The service for the download half of the throughput scenario: reads "<bytes>\n" and sends
// exactly that many bytes, respecting backpressure, from one preallocated block.

import net from "node:net";
import { readSizeLine } from "./size-line.ts";

const BLOCK = Buffer.alloc(256 * 1024, 0x5a);

/** A TCP source: sends the announced number of bytes, then keeps the connection open for the client to close. */
export function createSourceService(): net.Server {
  return net.createServer({ noDelay: true }, (sock) => {
    let pending: Buffer = Buffer.alloc(0);
    let started = false;
    sock.on("error", () => sock.destroy());
    sock.on("data", (chunk: Buffer) => {
      if (started) return;
      pending = Buffer.concat([pending, chunk]);
      const line = readSizeLine(pending);
      if (!line) return;
      started = true;
      let left = line.size;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, BLOCK.length);
          left -= n;
          if (!sock.write(n === BLOCK.length ? BLOCK : BLOCK.subarray(0, n))) {
            sock.once("drain", pump);
            return;
          }
        }
      };
      pump();
    });
  });
}
