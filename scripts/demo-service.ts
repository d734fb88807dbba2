// The demo's sample service: a tiny HTTP server that says hello and echoes the request path, so a
// curl through the tunnel shows at a glance that it arrived.
import { createServer } from "node:http";
import type { Server } from "node:http";

/** Starts the service on host:port; resolves once it listens. */
export function startDemoService(host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const body = `hello from the tlsbridge demo service: ${req.method ?? "?"} ${req.url ?? "/"} (Host: ${req.headers.host ?? "-"})\n`;
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
