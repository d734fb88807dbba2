// A raw CONNECT client, for tests that look at exact status lines and headers or move bytes
// through the tunnel themselves (curl and undici cover the user-facing path).
import net from "node:net";

/** The proxy's response head and the socket, positioned right after it. */
export type ConnectResult = {
  readonly status: number;
  readonly head: string;
  readonly headers: Map<string, string[]>;
  /** Bytes that arrived after the head (already part of the tunnel). */
  readonly rest: Buffer;
  readonly socket: net.Socket;
};

/**
 * Sends `request` (a whole CONNECT head, or anything else) and reads the response head;
 * `localAddress` picks the client's address (another 127.x address is another client).
 */
export function sendRaw(port: number, request: string | Buffer, host = "127.0.0.1", localAddress?: string): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, allowHalfOpen: true, ...(localAddress === undefined ? {} : { localAddress }) });
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response head within 15 s; got ${JSON.stringify(buffered.toString("latin1"))}`));
    }, 15_000);
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("connect", () => socket.write(request));
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.pause();
      const head = buffered.subarray(0, end).toString("latin1");
      const [statusLine = "", ...fields] = head.split("\r\n");
      const headers = new Map<string, string[]>();
      for (const field of fields) {
        const colon = field.indexOf(":");
        const name = field.slice(0, colon).trim().toLowerCase();
        headers.set(name, [...(headers.get(name) ?? []), field.slice(colon + 1).trim()]);
      }
      resolve({ status: Number(statusLine.split(" ")[1]), head, headers, rest: buffered.subarray(end + 4), socket });
    };
    socket.on("data", onData);
  });
}

/** `CONNECT authority HTTP/1.1` with a Host header, through the proxy at `port`. */
export function connectThrough(port: number, authority: string, extraHeaders = ""): Promise<ConnectResult> {
  return sendRaw(port, `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${extraHeaders}\r\n`);
}
