// The demo's sample service: a tiny HTTP server that says hello and echoes the request path, so a
// curl through the tunnel shows at a glance that it arrived. Given a certificate it speaks HTTPS,
// for the SNI listener (the client's TLS runs through the tunnel to it, end to end).
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";

function hello(req: IncomingMessage, res: ServerResponse): void {
  const body = `hello from the tlsbridge demo service: ${req.method ?? "?"} ${req.url ?? "/"} (Host: ${req.headers.host ?? "-"})\n`;
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Starts the service on host:port (HTTPS with `tls`); resolves once it listens. */
export function startDemoService(host: string, port: number, tls?: { readonly cert: Buffer; readonly key: Buffer }): Promise<Server> {
  const server: Server = tls === undefined ? createServer(hello) : createHttpsServer(tls, hello);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
