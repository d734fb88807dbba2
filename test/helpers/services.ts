// Services the tunnel carries traffic to in tests, all on loopback port 0: a small HTTP service,
// an HTTPS one (the client's TLS runs inside the tunnel), a TCP echo, and a port nobody listens on.
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { AddressInfo } from "node:net";

/** A started service and how to stop it. */
export type TestService = { readonly port: number; readonly close: () => Promise<void> };

/**
 * Listens on loopback port 0 (`host`: 127.0.0.1 unless given, e.g. `::1`); `close` ends an HTTP
 * server's open connections and waits for the server to close.
 */
export function listenOnLoopback(server: net.Server, host = "127.0.0.1"): Promise<TestService> {
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            (server as http.Server).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A service whose `close` cuts the connections still open, and that counts them. */
export type TrackedService = TestService & { readonly openConnections: () => number };

/**
 * {@link listenOnLoopback}, keeping every accepted connection: `openConnections` counts the ones not
 * yet closed, and `close` destroys them before closing the server (which would otherwise wait for them).
 */
export function listenOnLoopbackTracked(server: net.Server): Promise<TrackedService> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return listenOnLoopback(server).then((service) => ({
    port: service.port,
    openConnections: () => sockets.size,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return service.close();
    },
  }));
}

/** HTTP service answering `hello from <path>`. */
export function startHttpService(): Promise<TestService> {
  return listenOnLoopback(http.createServer((req, res) => res.end(`hello from ${req.url}`)));
}

/** HTTPS service (certificate from the test CA) answering `secure hello from <path>`. */
export function startHttpsService(cert: string, key: string): Promise<TestService> {
  return listenOnLoopback(https.createServer({ cert, key }, (req, res) => res.end(`secure hello from ${req.url}`)));
}

/** TCP service that sends back every byte it receives, and half-closes when the client does. */
export function startEchoService(host: "127.0.0.1" | "::1" = "127.0.0.1"): Promise<TestService> {
  return listenOnLoopback(net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => {});
    socket.pipe(socket);
  }), host);
}

/**
 * TCP service that reads until the client's FIN, then answers `received <n> bytes` and closes:
 * it only answers if half-close travelled all the way from the client.
 */
export function startCountUntilFinService(): Promise<TestService> {
  return listenOnLoopback(net.createServer({ allowHalfOpen: true }, (socket) => {
    let received = 0;
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => (received += chunk.length));
    socket.on("end", () => socket.end(`received ${received} bytes`));
  }));
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const service = await listenOnLoopback(net.createServer());
  await service.close();
  return service.port;
}
