// A service behind the peer that expects a PROXY protocol v2 header first, as HAProxy, nginx
// (`proxy_protocol`) or Postfix do. It decodes the header from the spec (HAProxy's
// proxy-protocol.txt §2.2) on its own, not with packages/wire, keeps the raw bytes for the test,
// and answers one HTTP request with what the header said, so curl prints what the service saw.
import net from "node:net";
import { listenOnLoopback } from "./services.ts";
import type { TestService } from "./services.ts";

/** One header as the service received it. */
export type ReceivedProxyHeader = {
  /** The whole header: signature, version/command, family, length, addresses. */
  readonly bytes: Buffer;
  readonly command: "LOCAL" | "PROXY";
  readonly family: "UNSPEC" | "TCP4" | "TCP6";
  /** `ip:port` (IPv6 as 8 full hex groups in brackets); absent for LOCAL. */
  readonly source?: string;
  readonly destination?: string;
};

/** The started service and every header it received, in arrival order. */
export type ProxyV2Service = TestService & { readonly received: ReceivedProxyHeader[] };

const SIGNATURE = Buffer.from("0d0a0d0a000d0a515549540a", "hex");

/** Starts the service on loopback (`host` 127.0.0.1 or ::1), port 0. */
export async function startProxyV2Service(host = "127.0.0.1"): Promise<ProxyV2Service> {
  const received: ReceivedProxyHeader[] = [];
  const server = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    let header: ReceivedProxyHeader | undefined;
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => {
      if (socket.writableEnded) return;
      buffered = Buffer.concat([buffered, chunk]);
      if (header === undefined) {
        if (buffered.length < 16) return;
        if (!buffered.subarray(0, 12).equals(SIGNATURE)) {
          answer(socket, 400, { error: "no PROXY v2 signature", got: buffered.subarray(0, 16).toString("hex") });
          return;
        }
        const length = 16 + buffered.readUInt16BE(14);
        if (buffered.length < length) return;
        try {
          header = decode(buffered.subarray(0, length));
        } catch (err) {
          answer(socket, 400, { error: (err as Error).message });
          return;
        }
        received.push(header);
        buffered = buffered.subarray(length);
      }
      if (buffered.includes("\r\n\r\n")) answer(socket, 200, { ...header, bytes: header.bytes.toString("hex") });
    });
  });
  const service = await listenOnLoopback(server, host);
  return { ...service, received };
}

function decode(bytes: Buffer): ReceivedProxyHeader {
  const versionCommand = bytes[12] as number;
  const familyTransport = bytes[13] as number;
  if (versionCommand >> 4 !== 2) throw new Error(`PROXY header version ${versionCommand >> 4}, expected 2`);
  const command = (versionCommand & 0x0f) === 1 ? "PROXY" : "LOCAL";
  if (command === "LOCAL" || familyTransport === 0x00) return { bytes, command, family: "UNSPEC" };
  const body = bytes.subarray(16);
  if (familyTransport === 0x11) {
    const ip = (at: number): string => [...body.subarray(at, at + 4)].join(".");
    return { bytes, command, family: "TCP4", source: `${ip(0)}:${body.readUInt16BE(8)}`, destination: `${ip(4)}:${body.readUInt16BE(10)}` };
  }
  if (familyTransport === 0x21) {
    const ip = (at: number): string => {
      const groups: string[] = [];
      for (let i = at; i < at + 16; i += 2) groups.push(body.readUInt16BE(i).toString(16));
      return `[${groups.join(":")}]`;
    };
    return { bytes, command, family: "TCP6", source: `${ip(0)}:${body.readUInt16BE(32)}`, destination: `${ip(16)}:${body.readUInt16BE(34)}` };
  }
  throw new Error(`PROXY header family/transport 0x${familyTransport.toString(16)} not TCP over IPv4 or IPv6`);
}

function answer(socket: net.Socket, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status} ${status === 200 ? "OK" : "Bad Request"}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}
