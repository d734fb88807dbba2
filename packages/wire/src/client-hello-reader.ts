// Reads a TLS ClientHello off the start of a connection to learn the name the client asked for
// (server_name, RFC 6066 §3), without terminating TLS: the bytes are handed back unchanged to be
// replayed to the service. Pure, restartable (any split across reads), bounded by a byte limit.
//
//   state   needs                                   then
//   header  5 bytes: type 22, version 3.x, length    record (length 1..2^14, RFC 8446 §5.1)
//   record  the whole record payload                 its payload joins the handshake bytes; once they
//                                                     hold type 1 + a 24-bit length + that many bytes,
//                                                     the ClientHello is parsed (RFC 8446 §4.1.2);
//                                                     else header of the next record
// With ECH (draft-ietf-tls-esni) the name read here is the outer, public one: that is what routes.
import { TunnelError } from "./errors.ts";

/** What the reader found: the name asked for (undefined: no server_name) and every byte read. */
export type ClientHello = {
  readonly serverName: string | undefined;
  /** Every byte pushed, unchanged: the records that carried the hello and anything after them. */
  readonly bytes: Buffer;
};

/** First byte of a TLS handshake record (RFC 8446 §5.1, ContentType handshake). */
export const TLS_HANDSHAKE_RECORD = 22;
const HANDSHAKE_CLIENT_HELLO = 1;
const EXTENSION_SERVER_NAME = 0;
const NAME_TYPE_HOST_NAME = 0;
const MAX_RECORD_PAYLOAD = 16_384;
const RECORD_HEADER = 5;

function badHello(why: string): TunnelError {
  return new TunnelError("TLSB_ERR_BAD_HELLO", `bad TLS ClientHello: ${why}`, { details: why });
}

/** Why a first byte is not TLS, with a hint when it is plain text (an HTTP client on the wrong port). */
function notTls(first: number): TunnelError {
  const text = first >= 0x20 && first < 0x7f ? ` ('${String.fromCharCode(first)}': plain text, an HTTP client?)` : "";
  return badHello(`not TLS: first byte 0x${first.toString(16).padStart(2, "0")}${text}, a handshake record starts with 0x16`);
}

/**
 * Push chunks until it returns the hello. Throws TunnelError: `TLSB_ERR_BAD_HELLO` for bytes that
 * are not a TLS ClientHello (or a malformed one), `TLSB_ERR_HEAD_TOO_LARGE` once more than
 * `limitBytes` arrive without a whole hello; it never holds more than `limitBytes`.
 */
export class ClientHelloReader {
  readonly #limit: number;
  #seen: Buffer[] = [];
  #received = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes needed in #pending to move on: a record header, then header + payload. */
  #need = RECORD_HEADER;
  #handshake: Buffer[] = [];
  #handshakeBytes = 0;
  #finished = false;

  constructor(limitBytes: number) {
    this.#limit = limitBytes;
  }

  /** Feeds one chunk; null while the hello is incomplete. */
  push(chunk: Buffer): ClientHello | null {
    if (this.#finished) throw new Error("ClientHelloReader: push after the hello was returned or refused");
    if (chunk.length === 0) return null;
    try {
      return this.#take(chunk);
    } catch (err) {
      this.#finished = true;
      this.#seen = [];
      this.#pending = [];
      this.#handshake = [];
      throw err;
    }
  }

  #take(chunk: Buffer): ClientHello | null {
    if (this.#received === 0 && chunk[0] !== TLS_HANDSHAKE_RECORD) throw notTls(chunk[0] ?? 0);
    const room = this.#limit - this.#received;
    const window = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#received += window.length;
    this.#seen.push(window);
    this.#pending.push(window);
    this.#pendingBytes += window.length;
    while (this.#pendingBytes >= this.#need) {
      const pending = Buffer.concat(this.#pending, this.#pendingBytes);
      if (this.#need === RECORD_HEADER) {
        this.#need = RECORD_HEADER + recordLength(pending);
        // A record that cannot fit under the limit is refused now, not once its bytes have come.
        if (this.#received - this.#pendingBytes + this.#need > this.#limit) throw tooLarge(this.#limit);
        this.#pending = [pending];
        continue;
      }
      this.#handshake.push(pending.subarray(RECORD_HEADER, this.#need));
      this.#handshakeBytes += this.#need - RECORD_HEADER;
      this.#pending = [pending.subarray(this.#need)];
      this.#pendingBytes -= this.#need;
      this.#need = RECORD_HEADER;
      const serverName = this.#helloIfWhole();
      if (serverName !== null) {
        this.#finished = true;
        const bytes = Buffer.concat([...this.#seen, chunk.subarray(window.length)]);
        this.#seen = [];
        this.#pending = [];
        this.#handshake = [];
        return { serverName, bytes };
      }
    }
    if (window.length < chunk.length) throw tooLarge(this.#limit);
    return null;
  }

  /** The server name (undefined: none) once the handshake bytes hold the whole hello, else null. */
  #helloIfWhole(): string | undefined | null {
    if (this.#handshakeBytes < 4) return null;
    const handshake = Buffer.concat(this.#handshake, this.#handshakeBytes);
    this.#handshake = [handshake];
    if (handshake[0] !== HANDSHAKE_CLIENT_HELLO) throw badHello(`handshake message type ${handshake[0] ?? "?"}, not ClientHello (1)`);
    const length = handshake.readUIntBE(1, 3);
    if (4 + length > this.#limit) throw tooLarge(this.#limit);
    if (handshake.length < 4 + length) return null;
    return serverNameOf(handshake.subarray(4, 4 + length));
  }
}

function tooLarge(limit: number): TunnelError {
  return new TunnelError("TLSB_ERR_HEAD_TOO_LARGE", `ClientHello larger than ${limit} bytes`, { details: `ClientHello larger than ${limit} bytes` });
}

/** The payload length of the record whose header starts `b`; throws on anything but a handshake record. */
function recordLength(b: Buffer): number {
  if (b[0] !== TLS_HANDSHAKE_RECORD) throw badHello(`record type ${b[0] ?? "?"} before the ClientHello ended`);
  if (b[1] !== 3) throw badHello(`record version ${b[1] ?? "?"}.${b[2] ?? "?"}, not 3.x`);
  const length = b.readUInt16BE(3);
  if (length === 0 || length > MAX_RECORD_PAYLOAD) throw badHello(`record length ${length}, not 1-${MAX_RECORD_PAYLOAD}`);
  return length;
}

/** Reads the ClientHello body (RFC 8446 §4.1.2) far enough to find server_name. */
function serverNameOf(body: Buffer): string | undefined {
  let at = 2 + 32; // legacy_version, random
  const need = (n: number, what: string): void => {
    if (at + n > body.length) throw badHello(`${what} runs past the end of the hello`);
  };
  const vector = (lengthBytes: 1 | 2, what: string): Buffer => {
    need(lengthBytes, what);
    const length = body.readUIntBE(at, lengthBytes);
    at += lengthBytes;
    need(length, what);
    const value = body.subarray(at, at + length);
    at += length;
    return value;
  };
  need(0, "random");
  if (vector(1, "legacy_session_id").length > 32) throw badHello("legacy_session_id longer than 32 bytes");
  vector(2, "cipher_suites");
  vector(1, "legacy_compression_methods");
  if (at === body.length) return undefined; // no extensions at all (TLS 1.2 and older allow it)
  const extensions = vector(2, "extensions");
  if (at !== body.length) throw badHello("bytes after the extensions");
  for (let e = 0; e < extensions.length;) {
    if (e + 4 > extensions.length) throw badHello("extension header runs past the end of the extensions");
    const type = extensions.readUInt16BE(e);
    const length = extensions.readUInt16BE(e + 2);
    if (e + 4 + length > extensions.length) throw badHello(`extension ${type} runs past the end of the extensions`);
    if (type === EXTENSION_SERVER_NAME) return hostNameOf(extensions.subarray(e + 4, e + 4 + length));
    e += 4 + length;
  }
  return undefined;
}

/** The host_name entry of a server_name extension (RFC 6066 §3). */
function hostNameOf(data: Buffer): string {
  if (data.length < 2 || data.readUInt16BE(0) !== data.length - 2) throw badHello("server_name list length does not match the extension");
  for (let at = 2; at + 3 <= data.length;) {
    const type = data[at];
    const length = data.readUInt16BE(at + 1);
    if (at + 3 + length > data.length) throw badHello("server_name entry runs past the end of the list");
    const name = data.subarray(at + 3, at + 3 + length);
    if (type === NAME_TYPE_HOST_NAME) {
      if (length === 0 || name.some((c) => c <= 0x20 || c >= 0x7f)) throw badHello("server_name host_name empty or not printable ASCII");
      return name.toString("latin1");
    }
    at += 3 + length;
  }
  throw badHello("server_name extension without a host_name");
}
