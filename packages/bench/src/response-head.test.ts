// The generator's reading of a proxy's answer to CONNECT.
import { describe, expect, it } from "vitest";
import { parseResponseHead } from "./response-head.ts";
import { readSizeLine } from "./size-line.ts";

describe("parseResponseHead", () => {
  it("needs the whole head, then splits off the tunnel bytes", () => {
    expect(parseResponseHead(Buffer.from("HTTP/1.1 200 Connection established\r\n"))).toBeUndefined();
    const r = parseResponseHead(Buffer.from("HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\nhello"));
    expect(r?.status).toBe(200);
    expect(r?.rest.toString()).toBe("hello");
  });
  it("reads other statuses and HTTP/1.0", () => {
    expect(parseResponseHead(Buffer.from("HTTP/1.0 403 Forbidden\r\n\r\n"))?.status).toBe(403);
  });
  it("rejects garbage and overlong heads", () => {
    expect(() => parseResponseHead(Buffer.from("SSH-2.0-x\r\n\r\n"))).toThrow(/malformed/);
    expect(() => parseResponseHead(Buffer.alloc(100, 0x41), 64)).toThrow(/longer/);
  });
});

describe("readSizeLine", () => {
  it("waits for the newline and returns the rest", () => {
    expect(readSizeLine(Buffer.from("123"))).toBeUndefined();
    const r = readSizeLine(Buffer.from("123\nabc"));
    expect(r?.size).toBe(123);
    expect(r?.rest.toString()).toBe("abc");
  });
  it("rejects non-numbers", () => {
    expect(() => readSizeLine(Buffer.from("-1\n"))).toThrow();
  });
});
