// The SOCKS5 reader must read the same conversation however the client's bytes are cut, keep the
// bytes after the request, and refuse malformed messages with a precise error.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cutAt, cuts } from "./feed.test-helper.ts";
import { TunnelError } from "./errors.ts";
import { Socks5Reader } from "./socks5-reader.ts";
import type { Socks5Message } from "./socks5-reader.ts";

const GREETING = [5, 2, 0, 2];
const CREDENTIALS = [1, 5, ..."alice".split("").map((c) => c.charCodeAt(0)), 3, 0x70, 0x77, 0x64];
const domainRequest = (name: string, port: number): number[] =>
  [5, 1, 0, 3, name.length, ...Buffer.from(name, "latin1"), port >> 8, port & 255];
const EARLY = Buffer.from("GET / HTTP/1.1\r\n\r\n");

/** Drives a reader like the SOCKS5 front door does: answers with the method the message asks for. */
function converse(chunks: Buffer[]): { messages: Socks5Message[]; rest: Buffer } {
  const reader = new Socks5Reader();
  const messages: Socks5Message[] = [];
  const later: Buffer[] = [];
  const take = (message: Socks5Message | null): void => {
    if (message === null) return;
    messages.push(message);
    if (message.kind === "request") return;
    reader.expect(message.kind === "greeting" && message.methods.includes(2) ? "credentials" : "request");
    take(reader.push(Buffer.alloc(0)));
  };
  for (const chunk of chunks) {
    if (messages.at(-1)?.kind === "request") later.push(chunk);
    else take(reader.push(chunk));
  }
  return { messages, rest: Buffer.concat([reader.rest, ...later]) };
}

describe("Socks5Reader", () => {
  it("reads greeting, credentials, a domain request and keeps early data: whole, byte at a time, split at every index", () => {
    const conversation = Buffer.from([...GREETING, ...CREDENTIALS, ...domainRequest("db1.internal", 5432), ...EARLY]);
    for (const [how, chunks] of cuts(conversation)) {
      const { messages, rest } = converse(chunks);
      expect(messages, how).toEqual([
        { kind: "greeting", methods: [0, 2] },
        { kind: "credentials", user: "alice", password: "pwd" },
        { kind: "request", command: 1, target: { host: "db1.internal", port: 5432, kind: "dns", authority: "db1.internal:5432" } },
      ]);
      expect(rest.equals(EARLY), how).toBe(true);
    }
  });

  it("reads IPv4 and IPv6 targets, split at every index", () => {
    const v4 = Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90, 5, 1, 0]);
    const v6 = Buffer.from([5, 1, 0, 4, ...new Array<number>(15).fill(0), 1, 0x01, 0xbb]);
    for (const [request, authority, kind] of [[v4, "127.0.0.1:8080", "ipv4"], [v6, "[::1]:443", "ipv6"]] as const) {
      for (const [how, chunks] of cuts(Buffer.concat([Buffer.from([5, 1, 0]), request]))) {
        const { messages } = converse(chunks);
        expect(messages.at(-1), how).toMatchObject({ kind: "request", command: 1, target: { authority, kind } });
      }
    }
  });

  it("hands back BIND and UDP ASSOCIATE for the door to answer 07", () => {
    for (const command of [2, 3, 9]) {
      const { messages } = converse([Buffer.from([5, 1, 0, 5, command, 0, 1, 10, 0, 0, 1, 0, 80])]);
      expect(messages.at(-1)).toMatchObject({ kind: "request", command });
    }
  });

  it("refuses a wrong version, no methods, an unknown address type and a bad name with precise codes", () => {
    const refusal = (bytes: number[]): TunnelError => {
      try {
        converse([Buffer.from(bytes)]);
      } catch (err) {
        if (err instanceof TunnelError) return err;
        throw err;
      }
      throw new Error("no refusal");
    };
    expect(refusal([4, 1, 0]).message).toMatch(/version byte 0x04/);
    expect(refusal([5, 0]).message).toMatch(/no methods/);
    expect(refusal([5, 1, 0, 5, 1, 0, 9, 1, 2]).code).toBe("TLSB_ERR_BAD_TARGET");
    expect(refusal([5, 1, 0, 5, 1, 1, 1, 127, 0, 0, 1, 0, 80]).message).toMatch(/reserved byte/);
    expect(refusal([5, 1, 0, ...domainRequest("bad host", 80)]).code).toBe("TLSB_ERR_BAD_TARGET");
    expect(refusal([5, 1, 0, ...domainRequest("localhost", 0)]).code).toBe("TLSB_ERR_BAD_TARGET");
    expect(refusal([5, 1, 2, 1, 0]).message).toMatch(/empty user name/);
  });

  it("refuses a client that floods while it is being answered", () => {
    const reader = new Socks5Reader();
    expect(reader.push(Buffer.from([5, 1, 0]))).not.toBeNull();
    expect(() => reader.push(Buffer.alloc(2048))).toThrow(/too much/);
  });

  it("reads any domain request the same at random cuts (property)", () => {
    fc.assert(fc.property(
      fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,20}[a-z0-9])?(\.[a-z][a-z0-9]{0,10}){0,3}$/),
      fc.integer({ min: 1, max: 65535 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      (name, port, offsets) => {
        const bytes = Buffer.from([5, 1, 0, ...domainRequest(name, port)]);
        const { messages } = converse(cutAt(bytes, offsets.map((o) => o % (bytes.length + 1))));
        expect(messages.at(-1)).toMatchObject({ target: { host: name, port } });
      },
    ));
  });
});
