// A loopback front for a TLS server that behaves like squid 5.7's `https_port` with `clientca=`
// (issue 9): a ClientHello that offers a session ticket (the TLS 1.3 pre_shared_key extension) is
// answered with a fatal internal_error alert; any other connection is relayed to the real server.
// Node's own TLS server cannot be made to do this: it falls back to a full handshake instead.
import net from "node:net";
import { listenOnLoopbackTracked } from "./services.ts";
import type { TrackedService } from "./services.ts";

/** RFC 8446 §4.2: extension type of pre_shared_key. */
const PRE_SHARED_KEY = 41;
/** Alert record: TLS 1.2 record version, level fatal (2), internal_error (80). */
const INTERNAL_ERROR_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50]);

/** The front, and how many resumptions it refused. */
export type ResumptionRefusingFront = TrackedService & {
  readonly refused: () => number;
  /** Sets the real server's port (connections that arrive before wait for it). */
  readonly relayTo: (port: number) => void;
  /** Cuts every relayed connection (both sides), as a peer restart would: clients must reconnect. */
  readonly cut: () => void;
};

/**
 * Whether a complete ClientHello (in one record at the start of `data`) offers pre_shared_key;
 * undefined while the record is incomplete.
 */
export function offersTicket(data: Buffer): boolean | undefined {
  if (data.length < 5) return undefined;
  const recordEnd = 5 + data.readUInt16BE(3);
  if (data.length < recordEnd) return undefined;
  let at = 5 + 4 + 2 + 32; // record header, handshake header, legacy_version, random
  at += 1 + data.readUInt8(at); // legacy_session_id
  at += 2 + data.readUInt16BE(at); // cipher_suites
  at += 1 + data.readUInt8(at); // legacy_compression_methods
  const extensionsEnd = at + 2 + data.readUInt16BE(at);
  at += 2;
  while (at + 4 <= Math.min(extensionsEnd, recordEnd)) {
    if (data.readUInt16BE(at) === PRE_SHARED_KEY) return true;
    at += 4 + data.readUInt16BE(at + 2);
  }
  return false;
}

/** Starts the front on a loopback port; it relays to 127.0.0.1 on the port given to `relayTo`. */
export async function startResumptionRefusingFront(): Promise<ResumptionRefusingFront> {
  let refused = 0;
  const relayed = new Set<net.Socket>();
  let relayTo: (port: number) => void = () => {};
  const backendPort = new Promise<number>((resolve) => (relayTo = resolve));
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    client.on("error", () => {});
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const ticket = offersTicket(buffered);
      if (ticket === undefined) return;
      client.off("data", onData);
      if (ticket) {
        refused += 1;
        client.end(INTERNAL_ERROR_ALERT);
        return;
      }
      client.pause();
      void backendPort.then((port) => relay(port, buffered));
    };
    const relay = (port: number, first: Buffer): void => {
      const backend = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
      relayed.add(client);
      client.once("close", () => relayed.delete(client));
      backend.on("error", () => client.destroy());
      client.on("error", () => backend.destroy());
      client.on("close", () => backend.destroy());
      backend.on("close", () => client.destroy());
      backend.write(first);
      client.pipe(backend);
      backend.pipe(client);
      client.resume();
    };
    client.on("data", onData);
  });
  const service = await listenOnLoopbackTracked(server);
  return {
    ...service,
    refused: () => refused,
    relayTo: (port) => relayTo(port),
    cut: () => {
      for (const client of relayed) client.destroy(); // its backend follows on 'close'
    },
  };
}
