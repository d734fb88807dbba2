// The peer's response head, split anywhere by TLS records and reads: the same status, reason and
// headers every time, tunnel bytes after it kept, anything malformed a TLSB_ERR_PEER_RESPONSE.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { parseResponseHead } from "./response-head.ts";
import { TunnelError } from "./errors.ts";
import { cutAt, cuts, readHead } from "./feed.test-helper.ts";

const FIXTURES: Array<[string, string, number, string, Array<[string, string]>]> = [
  ["peer 200", "HTTP/1.1 200 Connection Established\r\n\r\n", 200, "Connection Established", []],
  ["200 without reason", "HTTP/1.1 200\r\n\r\n", 200, "", []],
  ["200 with empty reason", "HTTP/1.1 200 \r\nVia: 1.1 peer\r\n\r\n", 200, "", [["Via", "1.1 peer"]]],
  ["HTTP/1.0", "HTTP/1.0 200 OK\r\n\r\n", 200, "OK", []],
  [
    "peer refusal with Proxy-Status and a body length",
    "HTTP/1.1 502 Bad Gateway\r\nProxy-Status: peer-east; error=dns_error; rcode=\"NXDOMAIN\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    502, "Bad Gateway",
    [["Proxy-Status", 'peer-east; error=dns_error; rcode="NXDOMAIN"'], ["Content-Length", "0"], ["Connection", "close"]],
  ],
  ["403 with obs-text reason", "HTTP/1.1 403 Verboten \xfc\r\nX:  y \r\n\r\n", 403, "Verboten \xfc", [["X", "y"]]],
];

describe("parseResponseHead", () => {
  for (const [name, text, status, reason, headers] of FIXTURES) {
    it(`${name}: exact whole, byte at a time and split at every index`, () => {
      const tunnel = Buffer.from("\x17\x03\x03\x00\x10tunnel bytes\r\n\r\n", "latin1");
      const buf = Buffer.concat([Buffer.from(text, "latin1"), tunnel]);
      for (const [how, chunks] of cuts(buf)) {
        const got = readHead(chunks, 8192, "TLSB_ERR_PEER_RESPONSE");
        expect(got?.rest.equals(tunnel), how).toBe(true);
        if (got === null) continue;
        expect(parseResponseHead(got.head), how).toEqual({ status, reason, headers });
      }
    });
  }

  const MALFORMED: Array<[string, string]> = [
    ["not HTTP", "SSH-2.0-OpenSSH_9.6\r\n\r\n"],
    ["RTSP", "RTSP/1.0 200 OK\r\n\r\n"],
    ["HTTP/2", "HTTP/2 200\r\n\r\n"],
    ["two-digit status", "HTTP/1.1 20 OK\r\n\r\n"],
    ["four-digit status", "HTTP/1.1 2000 OK\r\n\r\n"],
    ["status 600", "HTTP/1.1 600 Odd\r\n\r\n"],
    ["interim 100", "HTTP/1.1 100 Continue\r\n\r\n"],
    ["control char in reason", "HTTP/1.1 200 O\x01K\r\n\r\n"],
    ["NUL in header", "HTTP/1.1 200 OK\r\nX: \x00\r\n\r\n"],
    ["obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n"],
    ["header without colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n"],
    ["bare LF", "HTTP/1.1 200 OK\nX: y\r\n\r\n"],
    ["no final CRLFCRLF", "HTTP/1.1 200 OK\r\n"],
    ["empty", ""],
    ["bytes after the head", "HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"],
  ];
  for (const [name, text] of MALFORMED) {
    it(`refuses ${name} with TLSB_ERR_PEER_RESPONSE`, () => {
      let thrown: unknown;
      try {
        parseResponseHead(Buffer.from(text, "latin1"));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(TunnelError);
      expect((thrown as TunnelError).code).toBe("TLSB_ERR_PEER_RESPONSE");
    });
  }

  it("an oversized response head is TLSB_ERR_PEER_RESPONSE when the reader is told so", () => {
    const big = Buffer.from(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(200)}\r\n\r\n`);
    expect(() => readHead([big], 64, "TLSB_ERR_PEER_RESPONSE")).toThrow(
      expect.objectContaining({ code: "TLSB_ERR_PEER_RESPONSE" }),
    );
  });

  it("property: mutated, randomly split responses only ever throw TunnelError", () => {
    const base = Buffer.from(FIXTURES[4]?.[1] ?? "", "latin1");
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(base.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
        fc.array(fc.nat(base.length), { maxLength: 5 }),
        (muts, points) => {
          const buf = Buffer.from(base);
          for (const m of muts) buf[m.at] = m.byte;
          try {
            const got = readHead(cutAt(buf, points), 4096, "TLSB_ERR_PEER_RESPONSE");
            if (got === null) return;
            const r = parseResponseHead(got.head);
            expect(r.status).toBeGreaterThanOrEqual(200);
            expect(r.status).toBeLessThanOrEqual(599);
          } catch (e) {
            if (!(e instanceof TunnelError)) throw e;
            expect(e.code).toBe("TLSB_ERR_PEER_RESPONSE");
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
