// The service for the upload half of the throughput scenario: reads "<bytes>\n", counts exactly
// that many bytes, then answers with the count it saw, so the client knows every byte arrived.

import net from "node:net";
import { readSizeLine } from "./size-line.ts";

/** A TCP sink: answers "<count>\n" once the announced number of bytes has arrived. */
export function createSinkService(): net.Server {
  return net.createServer({ noDelay: true }, (sock) => {
    let pending: Buffer = Buffer.alloc(0);
    let expected = -1;
    let seen = 0;
    sock.on("error", () => sock.destroy());
    sock.on("data", (chunk: Buffer) => {
      if (expected < 0) {
        pending = Buffer.concat([pending, chunk]);
        const line = readSizeLine(pending);
        if (!line) return;
        expected = line.size;
        pending = Buffer.alloc(0);
        seen = line.rest.length;
      } else {
        seen += chunk.length;
      }
      if (seen > expected) {
        sock.end(`overflow ${seen}\n`);
      } else if (seen === expected) {
        sock.write(`${seen}\n`);
      }
    });
  });
}
