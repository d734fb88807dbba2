// The rate limit of client.tls.failed: one line per client address per interval, the next one
// saying how many failures were not logged, every address on its own.
import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { HandshakeError } from "@tlsbridge/transport";
import { ClientHandshakeFailures } from "./client-handshake-failures.ts";

function capture(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: "info" }, stream), lines };
}

const refused = (code: string, reason: string): HandshakeError =>
  new HandshakeError("protocol", `TLS handshake failed: ${code}`, { cause: Object.assign(new Error(reason), { code, reason }) });

describe("ClientHandshakeFailures", () => {
  it("logs an address once per interval and then says how many were left out", async () => {
    let now = 0;
    const { log, lines } = capture();
    const failures = new ClientHandshakeFailures(log, { intervalMs: 60_000, now: () => now });
    const plain = refused("ERR_SSL_HTTPS_PROXY_REQUEST", "https proxy request");
    failures.report(plain, "10.0.0.1:5000");
    failures.report(plain, "10.0.0.1:5001");
    failures.report(plain, "::ffff:10.0.0.1:5002"); // an IPv4-mapped address is the same client
    failures.report(plain, "10.0.0.2:5000");
    now = 60_000;
    failures.report(plain, "10.0.0.1:5003");
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => [l.client, l.suppressed])).toEqual([["10.0.0.1", undefined], ["10.0.0.2", undefined], ["10.0.0.1", 2]]);
    expect(lines[0]).toMatchObject({
      level: 30, event: "client.tls.failed", kind: "protocol", code: "ERR_SSL_HTTPS_PROXY_REQUEST",
      reason: "https proxy request (not TLS: plain HTTP sent to the HTTPS-proxy port?)",
    });
  });
});
