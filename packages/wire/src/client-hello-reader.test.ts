// The ClientHello reader must find the name in a real hello however it is cut (whole, a byte at a
// time, split at every offset, split across TLS records), hand back every byte unchanged, and
// refuse non-TLS, malformed, oversize hellos and hellos without a name with precise errors.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { clientHelloFromNode } from "./client-hello.test-helper.ts";
import { ClientHelloReader } from "./client-hello-reader.ts";
import type { ClientHello } from "./client-hello-reader.ts";
import { TunnelError } from "./errors.ts";
import { cutAt, cuts } from "./feed.test-helper.ts";

/** The same handshake message carried in records of at most `size` payload bytes (RFC 8446 §5.1 allows it). */
function fragment(hello: Buffer, size: number): Buffer {
  const message = hello.subarray(5, 5 + hello.readUInt16BE(3));
  const records: Buffer[] = [];
  for (let at = 0; at < message.length; at += size) {
    const part = message.subarray(at, at + size);
    records.push(Buffer.from([22, 3, 1, part.length >> 8, part.length & 255]), part);
  }
  return Buffer.concat(records);
}

function read(chunks: Buffer[], limit = 16_384): { hello: ClientHello | null; later: Buffer[] } {
  const reader = new ClientHelloReader(limit);
  let hello: ClientHello | null = null;
  const later: Buffer[] = [];
  for (const chunk of chunks) {
    if (hello !== null) later.push(chunk);
    else hello = reader.push(chunk);
  }
  return { hello, later };
}

function refusal(bytes: Buffer, limit = 16_384): TunnelError {
  try {
    read([bytes], limit);
  } catch (err) {
    if (err instanceof TunnelError) return err;
    throw err;
  }
  throw new Error("no refusal");
}

let hello: Buffer;
let helloWithoutName: Buffer;

beforeAll(async () => {
  hello = await clientHelloFromNode("svc.example");
  helloWithoutName = await clientHelloFromNode(undefined);
});

describe("ClientHelloReader", () => {
  it("finds the name and returns every byte: whole, a byte at a time, split at every offset", () => {
    const early = Buffer.from("after");
    for (const [how, chunks] of cuts(Buffer.concat([hello, early]))) {
      const { hello: got, later } = read(chunks);
      expect(got?.serverName, how).toBe("svc.example");
      expect(Buffer.concat([got?.bytes ?? Buffer.alloc(0), ...later]).equals(Buffer.concat([hello, early])), how).toBe(true);
    }
  });

  it("reads a hello spread over several records, split at every offset", () => {
    const spread = fragment(hello, 100);
    for (const [how, chunks] of cuts(spread)) {
      expect(read(chunks).hello?.serverName, how).toBe("svc.example");
    }
  });

  it("returns no name for a hello without server_name (Node sends none without servername)", () => {
    expect(read([helloWithoutName]).hello).toEqual({ serverName: undefined, bytes: helloWithoutName });
  });

  it("refuses what is not a TLS hello with the reason", () => {
    expect(refusal(Buffer.from("GET / HTTP/1.1\r\n\r\n")).message).toMatch(/not TLS: first byte 0x47 \('G': plain text/);
    expect(refusal(Buffer.from([22, 3, 1, 0, 4, 2, 0, 0, 0])).message).toMatch(/handshake message type 2, not ClientHello/);
    expect(refusal(Buffer.from([22, 9, 9, 0, 1, 1])).message).toMatch(/record version 9\.9/);
    expect(refusal(Buffer.from([22, 3, 1, 0x40, 0x01])).message).toMatch(/record length 16385/);
    const cut = Buffer.from(hello);
    cut.writeUInt16BE(200, 5 + 4 + 2 + 32 + 1 + (cut[5 + 4 + 2 + 32] ?? 0)); // cipher_suites longer than the hello
    expect(refusal(cut).code).toBe("TLSB_ERR_BAD_HELLO");
  });

  it("refuses a hello over the limit without holding more than the limit", () => {
    expect(refusal(hello, hello.length - 1).code).toBe("TLSB_ERR_HEAD_TOO_LARGE");
    // A header announcing a message longer than the limit is refused before the bytes arrive.
    expect(refusal(Buffer.from([22, 3, 1, 0, 8, 1, 0x01, 0, 0, 0, 0, 0, 0]), 1024).code).toBe("TLSB_ERR_HEAD_TOO_LARGE");
    expect(refusal(Buffer.from([22, 3, 1, 0x10, 0x00]), 4096).code).toBe("TLSB_ERR_HEAD_TOO_LARGE");
    expect(read([hello], hello.length).hello?.serverName).toBe("svc.example");
  });

  it("waits (returns null) on a truncated hello, whatever the cut", () => {
    for (let i = 1; i < hello.length; i += 7) expect(read([hello.subarray(0, i)]).hello).toBeNull();
  });

  it("reads the same name at random cuts of a fragmented hello (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 600 }), fc.array(fc.nat(), { maxLength: 10 }), (size, offsets) => {
      const spread = fragment(hello, size);
      expect(read(cutAt(spread, offsets.map((o) => o % (spread.length + 1)))).hello?.serverName).toBe("svc.example");
    }));
  });
});
