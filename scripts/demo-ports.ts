// Fails the demo early, with a clear message, when one of its fixed ports is already taken.
import { createServer } from "node:net";

/** Rejects with a readable error when host:port cannot be bound. */
export function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (err: NodeJS.ErrnoException) => {
      reject(new Error(`${host}:${port} is not available (${err.code ?? err.message}); stop whatever uses it and try again`));
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
