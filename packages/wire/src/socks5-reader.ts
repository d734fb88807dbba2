// The server side of a SOCKS5 conversation (RFC 1928, with RFC 1929 username/password): the three
// client messages read by one pure, restartable reader, so a message split anywhere across reads,
// or pipelined with the next one, is read the same. The caller answers between messages.
//
//   state        reads (RFC 1928 §3, §4; RFC 1929 §2)          then (the caller says which)
//   greeting     VER=5 NMETHODS METHODS[NMETHODS]              credentials (method 02) | request (00)
//   credentials  VER=1 ULEN UNAME[ULEN] PLEN PASSWD[PLEN]      request
//   request      VER=5 CMD RSV=0 ATYP DST.ADDR DST.PORT        done: bytes after it are early data
//   (answer)     the caller is writing its answer; bytes that arrive meanwhile are held (bounded)
import { TunnelError } from "./errors.ts";
import { parseTarget } from "./target.ts";
import type { Target } from "./target.ts";

/** A client message, in conversation order. */
export type Socks5Message =
  | { readonly kind: "greeting"; readonly methods: readonly number[] }
  | { readonly kind: "credentials"; readonly user: string; readonly password: string }
  /** `command`: 1 CONNECT, 2 BIND, 3 UDP ASSOCIATE, or any other byte the client sent. */
  | { readonly kind: "request"; readonly command: number; readonly target: Target };

/** Authentication methods (RFC 1928 §3). */
export const SOCKS5_METHOD = { noAuth: 0x00, userPassword: 0x02, noneAcceptable: 0xff } as const;

/** Request commands (RFC 1928 §4). */
export const SOCKS5_COMMAND = { connect: 0x01, bind: 0x02, udpAssociate: 0x03 } as const;

type State = "greeting" | "credentials" | "request" | "answer" | "done";

/** The most a client may send while its last message is being answered (one more message). */
const MAX_HELD_BYTES = 1024;
const EMPTY = Buffer.alloc(0);
const UTF8 = new TextDecoder("utf-8", { fatal: true });

function malformed(what: string): TunnelError {
  return new TunnelError("TLSB_ERR_BAD_REQUEST", `malformed SOCKS5 ${what}`, { details: `malformed SOCKS5 ${what}` });
}

/**
 * Feed client bytes with `push`; it returns a message once one is whole, else null. After a
 * greeting or credentials, call `expect` with the next message once the answer is written, then
 * `push(Buffer.alloc(0))` to read anything the client already sent. After the request, `rest` holds
 * the bytes that followed it. Protocol errors throw TunnelError (`TLSB_ERR_BAD_REQUEST`, or
 * `TLSB_ERR_BAD_TARGET` for an address that is not a valid target or of an unknown type).
 */
export class Socks5Reader {
  #state: State = "greeting";
  #held: Buffer = EMPTY;

  /** Feeds one chunk (may be empty); returns the message it completes, or null. */
  push(chunk: Buffer): Socks5Message | null {
    if (this.#state === "done") throw new Error("Socks5Reader: push after the request was read");
    if (chunk.length > 0) this.#held = this.#held.length === 0 ? chunk : Buffer.concat([this.#held, chunk]);
    if (this.#state === "answer") {
      if (this.#held.length > MAX_HELD_BYTES) throw malformed("conversation (client sent too much before our answer)");
      return null;
    }
    const read = this.#state === "greeting" ? readGreeting(this.#held)
      : this.#state === "credentials" ? readCredentials(this.#held)
      : readRequest(this.#held);
    if (read === null) return null;
    this.#held = this.#held.subarray(read.length);
    this.#state = read.message.kind === "request" ? "done" : "answer";
    return read.message;
  }

  /** The client's next message, once the answer to its last one is written. */
  expect(next: "credentials" | "request"): void {
    if (this.#state !== "answer") throw new Error(`Socks5Reader: expect(${next}) in state ${this.#state}`);
    this.#state = next;
  }

  /** Bytes after the request (early data for the tunnel). */
  get rest(): Buffer {
    return this.#state === "done" ? this.#held : EMPTY;
  }
}

type Read = { readonly message: Socks5Message; readonly length: number } | null;

function readGreeting(b: Buffer): Read {
  if (b.length < 1) return null;
  if (b[0] !== 5) throw malformed(`greeting (version byte 0x${(b[0] ?? 0).toString(16).padStart(2, "0")}, not 5)`);
  if (b.length < 2) return null;
  const count = b[1] ?? 0;
  if (count === 0) throw malformed("greeting (no methods offered)");
  if (b.length < 2 + count) return null;
  return { message: { kind: "greeting", methods: [...b.subarray(2, 2 + count)] }, length: 2 + count };
}

function readCredentials(b: Buffer): Read {
  if (b.length < 1) return null;
  if (b[0] !== 1) throw malformed("username/password request (version byte not 1)");
  if (b.length < 2) return null;
  const userLength = b[1] ?? 0;
  if (userLength === 0) throw malformed("username/password request (empty user name)");
  if (b.length < 3 + userLength) return null;
  const passwordLength = b[2 + userLength] ?? 0;
  const length = 3 + userLength + passwordLength;
  if (b.length < length) return null;
  try {
    const user = UTF8.decode(b.subarray(2, 2 + userLength));
    const password = UTF8.decode(b.subarray(3 + userLength, length));
    return { message: { kind: "credentials", user, password }, length };
  } catch {
    throw malformed("username/password request (not UTF-8)");
  }
}

function readRequest(b: Buffer): Read {
  if (b.length < 1) return null;
  if (b[0] !== 5) throw malformed("request (version byte not 5)");
  if (b.length < 4) return null;
  if (b[2] !== 0) throw malformed("request (reserved byte not 0)");
  const type = b[3];
  let host: string;
  let at: number;
  if (type === 1) {
    if (b.length < 4 + 4 + 2) return null;
    host = [...b.subarray(4, 8)].join(".");
    at = 8;
  } else if (type === 4) {
    if (b.length < 4 + 16 + 2) return null;
    const groups: string[] = [];
    for (let i = 4; i < 20; i += 2) groups.push(b.readUInt16BE(i).toString(16));
    host = `[${groups.join(":")}]`;
    at = 20;
  } else if (type === 3) {
    if (b.length < 5) return null;
    const nameLength = b[4] ?? 0;
    if (b.length < 5 + nameLength + 2) return null;
    const name = b.subarray(5, 5 + nameLength).toString("latin1");
    // A client may send an IPv6 literal as a name; the target parser wants it in brackets.
    host = name.includes(":") ? `[${name}]` : name;
    at = 5 + nameLength;
  } else {
    throw new TunnelError("TLSB_ERR_BAD_TARGET", `SOCKS5 address type ${type ?? "?"} not supported`, {
      details: "address type not supported",
    });
  }
  const target = parseTarget(`${host}:${b.readUInt16BE(at)}`);
  return { message: { kind: "request", command: b[1] ?? 0, target }, length: at + 2 };
}
