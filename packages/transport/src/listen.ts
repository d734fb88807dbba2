// Starts a TCP server on an address and resolves with the port it got (0 picks a free one).
import type net from "node:net";

/** How a listener binds. */
export type ListenOptions = {
  /**
   * SO_REUSEPORT (Linux, Node >= 22.12): several worker processes bind the same address and the
   * kernel spreads new connections over them (the `workers:` setting).
   */
  readonly reusePort?: boolean;
};

/** Listens and resolves with the bound address; rejects with the listen error (EADDRINUSE, ...). */
export function listen(server: net.Server, host: string, port: number, options: ListenOptions = {}): Promise<net.AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port, ...(options.reusePort === true ? { reusePort: true } : {}) }, () => {
      server.off("error", reject);
      resolve(server.address() as net.AddressInfo);
    });
  });
}

/**
 * Stops accepting new connections. Open connections are not touched (the server's own `close`
 * callback would wait for all of them, so it is not awaited here).
 */
export function stopListening(server: net.Server): void {
  if (server.listening) server.close();
}
