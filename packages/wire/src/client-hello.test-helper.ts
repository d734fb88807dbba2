// Test helper: a real ClientHello, as Node's TLS client writes it, captured without any socket.
import { Duplex } from "node:stream";
import tls from "node:tls";

/** The first bytes Node's TLS client writes (its ClientHello); `servername` undefined: no SNI. */
export function clientHelloFromNode(servername: string | undefined): Promise<Buffer> {
  return new Promise((resolve) => {
    const wire = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        resolve(chunk);
        callback();
        setImmediate(() => connection.destroy()); // write() may run inside tls.connect()
      },
    });
    const connection = tls.connect({ socket: wire, ...(servername !== undefined ? { servername } : {}) });
    connection.on("error", () => {});
  });
}
