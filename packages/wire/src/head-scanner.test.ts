// The CR/LF scanner must find the same end of head however the bytes are split across reads.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { HeadScanner } from "./head-scanner.ts";
import { cutAt, cuts } from "./feed.test-helper.ts";

/** Offset just past the first CRLFCRLF in the concatenation of `chunks`, scanning chunk by chunk. */
function endOffset(chunks: Buffer[]): number {
  const s = new HeadScanner();
  let base = 0;
  for (const c of chunks) {
    const at = s.scan(c);
    if (at >= 0) {
      expect(s.done).toBe(true);
      expect(s.state).toBe("done");
      expect(s.offset).toBe(base + at);
      return base + at;
    }
    base += c.length;
  }
  return -1;
}

function reference(buf: Buffer): number {
  const at = buf.indexOf("\r\n\r\n");
  return at < 0 ? -1 : at + 4;
}

const FIXTURES: Array<[string, string, number]> = [
  ["minimal", "CONNECT a:1 HTTP/1.1\r\n\r\n", 24],
  ["with headers and tunnel bytes", "CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\n\x16\x03\x01", 35],
  ["response", "HTTP/1.1 200 OK\r\n\r\nrest", 19],
  ["CR CR LF LF is not an end", "A\r\r\n\r\n", 6],
  ["bare LFs never end it", "A\n\n\n\r\n\r\n", 8],
  ["CRLF LF CRLF is not an end", "A\r\n\n\r\n\r\n", 8],
  ["CR inside the last CRLF", "A\r\n\r\r\n\r\n", 8],
  ["no end", "A\r\nB\r\n\rX\r\n", -1],
  ["leading empty line", "\r\nCONNECT a:1 HTTP/1.1\r\n\r\n", 26],
  ["empty head", "\r\n\r\nX", 4],
];

describe("HeadScanner", () => {
  for (const [name, text, want] of FIXTURES) {
    it(`${name}: same end whole, byte at a time and split at every index`, () => {
      const buf = Buffer.from(text, "latin1");
      expect(reference(buf)).toBe(want);
      for (const [how, chunks] of cuts(buf)) {
        expect(endOffset(chunks), how).toBe(want);
      }
    });
  }

  it("walks the states of the table", () => {
    const s = new HeadScanner();
    const seen: string[] = [s.state];
    for (const b of Buffer.from("x\r\n\r\n")) {
      s.scan(Uint8Array.of(b));
      seen.push(s.state);
    }
    expect(seen).toEqual(["start", "start", "cr", "crlf", "crlfcr", "done"]);
  });

  it("returns 0 after done and starts over after reset", () => {
    const s = new HeadScanner();
    expect(s.scan(Buffer.from("a\r\n\r\n"))).toBe(5);
    expect(s.scan(Buffer.from("more"))).toBe(0);
    s.reset();
    expect(s.state).toBe("start");
    expect(s.offset).toBe(0);
    expect(s.scan(Buffer.from("b\r\n"))).toBe(-1);
    expect(s.scan(Buffer.from("\r\nz"))).toBe(2);
    expect(s.offset).toBe(5);
  });

  it("property: random bytes and random splits agree with indexOf(CRLFCRLF)", () => {
    const byte = fc.constantFrom(0x0d, 0x0a, 0x41, 0x20, 0x00);
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 64 }), fc.array(fc.nat(70), { maxLength: 8 }), (bytes, points) => {
        const buf = Buffer.from(bytes);
        expect(endOffset(cutAt(buf, points))).toBe(reference(buf));
      }),
      { numRuns: 2000 },
    );
  });
});
