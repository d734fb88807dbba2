// Runs the echo, sink and source services in a process of their own, so that they neither share
// an event loop with the load generator nor count as the system under test. argv[2]: the address
// to listen on (default 127.0.0.1). Prints one JSON line with the three ports.

import type net from "node:net";
import { createEchoService } from "./echo-service.ts";
import { createSinkService } from "./sink-service.ts";
import { createSourceService } from "./source-service.ts";
import { exitWithParent } from "./exit-with-parent.ts";

const host = process.argv[2] ?? "127.0.0.1";

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: 0, backlog: 4096 }, () => {
      const addr = server.address();
      resolve(typeof addr === "object" && addr !== null ? addr.port : 0);
    });
  });
}

const [echo, sink, source] = await Promise.all([
  listen(createEchoService()),
  listen(createSinkService()),
  listen(createSourceService()),
]);
process.stdout.write(`${JSON.stringify({ echo, sink, source })}\n`);
exitWithParent();
