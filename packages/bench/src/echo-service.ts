// The service behind the tunnel for the rate and hold scenarios: sends back whatever arrives,
// and ends its side when the client ends, so a tunnel can be proven open end to end.

import net from "node:net";

/** A TCP echo server; listen on it yourself. */
export function createEchoService(): net.Server {
  return net.createServer({ noDelay: true }, (sock) => {
    sock.on("error", () => sock.destroy());
    sock.pipe(sock);
  });
}
