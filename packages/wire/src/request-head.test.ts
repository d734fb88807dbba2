// Request heads as clients send them: only CONNECT host:port HTTP/1.x opens a tunnel, however the
// bytes arrive; everything else is a TunnelError with the right code, and parsers never leak.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import v8 from "node:v8";
import vm from "node:vm";
import { parseConnectRequest } from "./request-head.ts";
import { TunnelError } from "./errors.ts";
import type { ErrorCode } from "./status-table.ts";
import { cutAt, cuts, readHead } from "./feed.test-helper.ts";

type Fixture = {
  name: string;
  head: string;
  authority: string;
  host: string;
  port: number;
  version: "1.0" | "1.1";
  headers: Array<[string, string]>;
};

const FIXTURES: Fixture[] = [
  {
    name: "curl",
    head: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nUser-Agent: curl/8.5.0\r\nProxy-Connection: Keep-Alive\r\n\r\n",
    authority: "example.com:443", host: "example.com", port: 443, version: "1.1",
    headers: [["Host", "example.com:443"], ["User-Agent", "curl/8.5.0"], ["Proxy-Connection", "Keep-Alive"]],
  },
  {
    name: "undici ProxyAgent, IPv6",
    head: "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nhost: [2001:db8::1]:8443\r\nconnection: close\r\n\r\n",
    authority: "[2001:db8::1]:8443", host: "2001:db8::1", port: 8443, version: "1.1",
    headers: [["host", "[2001:db8::1]:8443"], ["connection", "close"]],
  },
  {
    name: "HTTP/1.0, no headers, uppercase host with trailing dot",
    head: "CONNECT DB1.Internal.:5432 HTTP/1.0\r\n\r\n",
    authority: "db1.internal:5432", host: "db1.internal", port: 5432, version: "1.0", headers: [],
  },
  {
    name: "empty value, OWS trimmed, obs-text kept, credentials",
    head: "CONNECT 10.1.2.3:22 HTTP/1.1\r\nX-Empty:\r\nX-Pad: \t a b \t\r\nX-Latin: caf\xe9\r\nProxy-Authorization: Basic dTpw\r\n\r\n",
    authority: "10.1.2.3:22", host: "10.1.2.3", port: 22, version: "1.1",
    headers: [["X-Empty", ""], ["X-Pad", "a b"], ["X-Latin", "caf\xe9"], ["Proxy-Authorization", "Basic dTpw"]],
  },
  {
    name: "leading empty line (RFC 9112 §2.2)",
    head: "\r\nCONNECT a.example:1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    authority: "a.example:1", host: "a.example", port: 1, version: "1.1", headers: [["Content-Length", "0"]],
  },
  {
    name: "long header value",
    head: `CONNECT a.example:443 HTTP/1.1\r\nCookie: ${"v".repeat(3000)}\r\nX-B: 2\r\n\r\n`,
    authority: "a.example:443", host: "a.example", port: 443, version: "1.1",
    headers: [["Cookie", "v".repeat(3000)], ["X-B", "2"]],
  },
];

function codeOf(fn: () => unknown): ErrorCode | "no error" | "not a TunnelError" {
  try {
    fn();
    return "no error";
  } catch (e) {
    return e instanceof TunnelError ? e.code : "not a TunnelError";
  }
}

describe("parseConnectRequest", () => {
  for (const f of FIXTURES) {
    it(`${f.name}: exact target and headers whole, byte at a time and split at every index`, () => {
      const tunnel = Buffer.from("\x16\x03\x01\x00\x05hello", "latin1");
      const buf = Buffer.concat([Buffer.from(f.head, "latin1"), tunnel]);
      // Split points also fall inside header values, the case llhttp-wasm 1.0.3 gets wrong
      // when values straddle two execute calls; the reader hands llhttp the whole head.
      for (const [how, chunks] of cuts(buf)) {
        const got = readHead(chunks);
        expect(got, how).not.toBeNull();
        if (got === null) continue;
        expect(got.rest.equals(tunnel), how).toBe(true);
        const req = parseConnectRequest(got.head);
        expect(req.method, how).toBe("CONNECT");
        expect(req.version, how).toBe(f.version);
        expect(req.target, how).toEqual({
          host: f.host, port: f.port, authority: f.authority,
          kind: f.host.includes(":") ? "ipv6" : /^[0-9.]+$/.test(f.host) ? "ipv4" : "dns",
        });
        expect(req.headers, how).toEqual(f.headers);
      }
    });
  }

  const REFUSED: Array<[string, string, ErrorCode]> = [
    ["GET origin-form", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "TLSB_ERR_METHOD_NOT_ALLOWED"],
    ["GET absolute-form", "GET http://a.example/ HTTP/1.1\r\n\r\n", "TLSB_ERR_METHOD_NOT_ALLOWED"],
    ["POST", "POST a.example:443 HTTP/1.1\r\nContent-Length: 3\r\n\r\n", "TLSB_ERR_METHOD_NOT_ALLOWED"],
    ["lowercase connect", "connect a.example:443 HTTP/1.1\r\n\r\n", "TLSB_ERR_METHOD_NOT_ALLOWED"],
    ["unknown method", "BREW a.example:443 HTTP/1.1\r\n\r\n", "TLSB_ERR_METHOD_NOT_ALLOWED"],
    ["PRI (HTTP/2 preface)", "PRI * HTTP/2.0\r\n\r\n", "TLSB_ERR_METHOD_NOT_ALLOWED"],
    ["origin-form CONNECT", "CONNECT /foo HTTP/1.1\r\n\r\n", "TLSB_ERR_BAD_TARGET"],
    ["absolute-form CONNECT", "CONNECT http://a.example:443/ HTTP/1.1\r\n\r\n", "TLSB_ERR_BAD_TARGET"],
    ["missing port", "CONNECT a.example HTTP/1.1\r\n\r\n", "TLSB_ERR_BAD_TARGET"],
    ["port 0", "CONNECT a.example:0 HTTP/1.1\r\n\r\n", "TLSB_ERR_BAD_TARGET"],
    ["unterminated IPv6", "CONNECT [::1:443 HTTP/1.1\r\n\r\n", "TLSB_ERR_BAD_TARGET"],
    ["HTTP/2.0", "CONNECT a.example:443 HTTP/2.0\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["HTTP/1.2", "CONNECT a.example:443 HTTP/1.2\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["RTSP", "CONNECT a.example:443 RTSP/1.0\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["no version", "CONNECT a.example:443\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["space before colon", "CONNECT a.example:443 HTTP/1.1\r\nHost : a\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["obs-fold", "CONNECT a.example:443 HTTP/1.1\r\nX: a\r\n b\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["NUL in value", "CONNECT a.example:443 HTTP/1.1\r\nX: a\x00b\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["bare LF line", "CONNECT a.example:443 HTTP/1.1\nX: a\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["bare CR in value", "CONNECT a.example:443 HTTP/1.1\r\nX: a\rb\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["no colon", "CONNECT a.example:443 HTTP/1.1\r\nNoColon\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["two Host fields", "CONNECT a.example:443 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["Transfer-Encoding", "CONNECT a.example:443 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["Content-Length 5", "CONNECT a.example:443 HTTP/1.1\r\nContent-Length: 5\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["not ending in CRLFCRLF", "CONNECT a.example:443 HTTP/1.1\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["empty head", "\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["bytes after the head", "CONNECT a.example:443 HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
    ["binary junk", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", "TLSB_ERR_BAD_REQUEST"],
  ];
  for (const [name, head, code] of REFUSED) {
    it(`refuses ${name} with ${code}`, () => {
      expect(codeOf(() => parseConnectRequest(Buffer.from(head, "latin1")))).toBe(code);
    });
  }

  it("puts llhttp's reason and offset in the message, the reason in details", () => {
    try {
      parseConnectRequest(Buffer.from("CONNECT a.example:443 HTTP/1.1\r\nX: a\x00b\r\n\r\n", "latin1"));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TunnelError);
      expect((e as TunnelError).message).toMatch(/HPE_INVALID_HEADER_TOKEN .* at offset 36/);
      expect((e as TunnelError).details).toBe("Invalid header value char");
    }
  });

  it("a refused head does not poison the next parse", () => {
    expect(codeOf(() => parseConnectRequest(Buffer.from("CONNECT a:1 HTTP/1.1\r\nX: \x00\r\n\r\n", "latin1")))).toBe("TLSB_ERR_BAD_REQUEST");
    expect(parseConnectRequest(Buffer.from("CONNECT a.example:1 HTTP/1.1\r\nX: y\r\n\r\n")).headers).toEqual([["X", "y"]]);
  });

  it("property: heads mutated and split at random only ever throw TunnelError", () => {
    const base = Buffer.from(FIXTURES[0]?.head ?? "", "latin1");
    const interesting = [0x0d, 0x0a, 0x00, 0x20, 0x3a, 0x5b, 0x5d, 0x09, 0xff, 0x41, 0x7f];
    const mutation = fc.record({
      at: fc.nat(base.length),
      kind: fc.constantFrom("set", "insert", "delete"),
      byte: fc.oneof(fc.constantFrom(...interesting), fc.integer({ min: 0, max: 255 })),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(base.length + 8), { maxLength: 6 }), (muts, points) => {
        const bytes = [...base];
        for (const m of muts) {
          const at = Math.min(m.at, bytes.length);
          if (m.kind === "set" && at < bytes.length) bytes[at] = m.byte;
          else if (m.kind === "insert") bytes.splice(at, 0, m.byte);
          else bytes.splice(at, 1);
        }
        const buf = Buffer.from(bytes);
        try {
          const got = readHead(cutAt(buf, points), 4096, "TLSB_ERR_HEAD_TOO_LARGE");
          if (got === null) return;
          const whole = readHead([buf], 4096);
          expect(whole?.head.equals(got.head)).toBe(true);
          const req = parseConnectRequest(got.head);
          expect(req.method).toBe("CONNECT");
          expect(parseConnectRequest(got.head)).toEqual(req);
        } catch (e) {
          if (!(e instanceof TunnelError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("reuses its parser: 100k heads leave the JS heap and the wasm heap flat", () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = (globalThis as { gc?: () => void }).gc ?? (vm.runInNewContext("gc") as () => void);
    const good = Buffer.from("CONNECT svc.example:443 HTTP/1.1\r\nHost: svc.example:443\r\nVia: 1.1 a\r\n\r\n");
    const bad = Buffer.from("CONNECT svc.example:443 HTTP/1.1\r\nX: \x00\r\n\r\n", "latin1");
    const round = (n: number): void => {
      for (let i = 0; i < n; i++) {
        if (parseConnectRequest(good).target.port !== 443) throw new Error("wrong port");
        if (i % 10 === 0) codeOf(() => parseConnectRequest(bad));
      }
    };
    // Warm up (wasm instance, JIT, young generation sizing) so the measured round sees only leaks.
    round(50_000);
    gc();
    const before = process.memoryUsage();
    round(100_000);
    gc();
    const after = process.memoryUsage();
    const MiB = 1024 * 1024;
    // A parser leaked per head costs far more than this (wasm heap plus the wrapper object).
    // The wasm heap is counted in `external`.
    expect((after.heapUsed - before.heapUsed) / MiB).toBeLessThan(4);
    expect((after.external - before.external) / MiB).toBeLessThan(4);
    // RSS is not asserted: in a vitest worker it moves by tens of MiB with the runner's own work.
  });
});
