// The head reader must return exactly the head and every byte after it, and refuse a head over
// the limit without ever holding more than the limit.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { HeadReader } from "./head-reader.ts";
import { TunnelError } from "./errors.ts";
import { cutAt, cuts, readHead } from "./feed.test-helper.ts";

const HEAD = "CONNECT db1.internal:5432 HTTP/1.1\r\nHost: db1.internal:5432\r\nUser-Agent: t\r\n\r\n";
const TUNNEL = "\x16\x03\x01\x02\x00early data\r\n\r\nmore";

describe("HeadReader", () => {
  it("returns head and rest exactly, whole, byte at a time and split at every index", () => {
    const buf = Buffer.from(HEAD + TUNNEL, "latin1");
    for (const [how, chunks] of cuts(buf)) {
      const got = readHead(chunks);
      expect(got, how).not.toBeNull();
      expect(got?.head.toString("latin1"), how).toBe(HEAD);
      expect(got?.rest.toString("latin1"), how).toBe(TUNNEL);
    }
  });

  it("returns null until the head is complete", () => {
    const r = new HeadReader(1024, "TLSB_ERR_HEAD_TOO_LARGE");
    expect(r.push(Buffer.from("CONNECT a:1 HTTP/1.1\r\n"))).toBeNull();
    expect(r.push(Buffer.alloc(0))).toBeNull();
    expect(r.bufferedBytes).toBe(22);
    const got = r.push(Buffer.from("\r\nX"));
    expect(got?.head.toString()).toBe("CONNECT a:1 HTTP/1.1\r\n\r\n");
    expect(got?.rest.toString()).toBe("X");
    expect(() => r.push(Buffer.from("late"))).toThrow(/after the head/);
  });

  it("accepts a head of exactly the limit and refuses one byte more, however split", () => {
    const head = Buffer.from(HEAD, "latin1");
    for (const [how, chunks] of cuts(Buffer.concat([head, Buffer.from("rest")]))) {
      const got = readHead(chunks, head.length);
      expect(got?.head.equals(head), how).toBe(true);
      expect(got?.rest.toString(), how).toBe("rest");
    }
    for (const [how, chunks] of cuts(head)) {
      let thrown: unknown;
      try {
        readHead(chunks, head.length - 1);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, how).toBeInstanceOf(TunnelError);
      expect((thrown as TunnelError).code, how).toBe("TLSB_ERR_HEAD_TOO_LARGE");
    }
  });

  it("throws the code it was given, as soon as the limit is crossed", () => {
    const r = new HeadReader(10, "TLSB_ERR_PEER_RESPONSE");
    expect(r.push(Buffer.from("HTTP/1.1 2"))).toBeNull();
    expect(r.bufferedBytes).toBe(10);
    let thrown: unknown;
    try {
      r.push(Buffer.from("0"));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TunnelError);
    expect((thrown as TunnelError).code).toBe("TLSB_ERR_PEER_RESPONSE");
    expect((thrown as TunnelError).status).toBe(502);
    expect(r.bufferedBytes).toBe(0);
  });

  it("refuses a huge first chunk without buffering it", () => {
    const r = new HeadReader(100, "TLSB_ERR_HEAD_TOO_LARGE");
    expect(() => r.push(Buffer.alloc(1 << 20, 0x41))).toThrow(TunnelError);
    expect(r.bufferedBytes).toBe(0);
  });

  it("rejects a nonsensical limit", () => {
    expect(() => new HeadReader(0, "TLSB_ERR_HEAD_TOO_LARGE")).toThrow(RangeError);
    expect(() => new HeadReader(1.5, "TLSB_ERR_HEAD_TOO_LARGE")).toThrow(RangeError);
  });

  it("property: random splits and limits give head+rest or a limit error, never more buffered", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.array(fc.nat(200), { maxLength: 10 }),
        fc.integer({ min: 4, max: 160 }),
        (extra, points, limit) => {
          const head = Buffer.from(HEAD, "latin1");
          const buf = Buffer.concat([head, Buffer.from(extra, "latin1")]);
          let got: ReturnType<typeof readHead> = null;
          try {
            got = readHead(cutAt(buf, points), limit);
          } catch (e) {
            expect(e).toBeInstanceOf(TunnelError);
            expect(limit).toBeLessThan(head.length);
            return;
          }
          expect(limit).toBeGreaterThanOrEqual(head.length);
          expect(got?.head.equals(head)).toBe(true);
          expect(got?.rest.toString("latin1")).toBe(extra);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
