// "Is the node still serving a good client?" through the SOCKS5 and SNI front doors: a real socks
// client's echo round trip, and a TLS handshake through an SNI listener that verifies the service.
import tls from "node:tls";
import { SocksClient } from "socks";
import { expect } from "vitest";
import { readToEnd } from "./tunnel-probe.ts";

/** A SOCKS5 CONNECT (no auth) to the echo service on localhost: `ping` comes back. */
export async function expectServedBySocks5(ingressPort: number, echoPort: number): Promise<void> {
  const { socket } = await SocksClient.createConnection({
    proxy: { host: "127.0.0.1", port: ingressPort, type: 5 }, command: "connect",
    destination: { host: "localhost", port: echoPort }, timeout: 10_000,
  });
  const back = readToEnd(socket);
  socket.end("ping");
  expect((await back).data.toString()).toBe("ping");
}

/** A TLS handshake for `localhost` through an SNI listener, verifying the service's certificate against `ca`. */
export async function expectServedBySni(ingressPort: number, ca: string): Promise<void> {
  const good = tls.connect({ host: "127.0.0.1", port: ingressPort, servername: "localhost", ca });
  await new Promise((resolve, reject) => {
    good.once("secureConnect", resolve);
    good.once("error", reject);
  });
  expect(good.authorized).toBe(true);
  good.destroy();
}
