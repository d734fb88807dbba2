// Regression (issue 13): the default groups were `X25519MLKEM768:X25519`, and OpenSSL 3.5 then sends
// a key share for the first group only. A peer without ML-KEM (ATS or squid linked to OpenSSL 3.0)
// answered with a HelloRetryRequest asking for X25519: one more round trip on every handshake, 50 ms
// on a 50 ms path. The default now marks both groups (`*`), so such a peer answers the first hello.
import net from "node:net";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_KEY_EXCHANGE_GROUPS } from "@tlsbridge/transport";
import { testPki } from "../helpers/pki.ts";

/** A HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3). */
const HRR_RANDOM = Buffer.from("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c", "hex");
/** Record header (5), handshake header (4), legacy_version (2): where the ServerHello's random starts. */
const RANDOM_AT = 11;

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** Handshakes with a server that offers X25519 only; resolves with the first bytes the server sent. */
async function firstServerFlight(clientGroups: string): Promise<Buffer> {
  const pki = await testPki();
  const server = tls.createServer({ cert: pki.peer.cert, key: pki.peer.key, ecdhCurve: "X25519", minVersion: "TLSv1.3" }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  let first: Buffer | undefined;
  // A TCP relay in front of the server keeps the server's first chunk.
  const relay = net.createServer((client) => {
    const upstream = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    upstream.once("data", (chunk: Buffer) => (first ??= chunk));
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close(), () => relay.close());
  const socket = tls.connect({
    port: (relay.address() as net.AddressInfo).port, host: "127.0.0.1", servername: "localhost",
    secureContext: tls.createSecureContext({ ca: pki.ca.cert, ecdhCurve: clientGroups }), minVersion: "TLSv1.3",
  });
  await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
  socket.destroy();
  if (first === undefined) throw new Error("the server sent nothing");
  return first;
}

describe("the default key exchange groups", () => {
  it("reach a peer without ML-KEM in one round trip: its first answer is a ServerHello, not a HelloRetryRequest", async () => {
    const flight = await firstServerFlight(DEFAULT_KEY_EXCHANGE_GROUPS);
    expect(flight.subarray(RANDOM_AT, RANDOM_AT + 32).equals(HRR_RANDOM)).toBe(false);
  });

  it("the old list, without `*`, made that peer ask again (the check can see a retry)", async () => {
    const flight = await firstServerFlight("X25519MLKEM768:X25519");
    expect(flight.subarray(RANDOM_AT, RANDOM_AT + 32).equals(HRR_RANDOM)).toBe(true);
  });
});
