// What `curl -p -x http://PROXY http://host:port/path` does, in Node: CONNECT through the proxy,
// then a plain HTTP GET inside the tunnel. Used by `npm start -- --check`.
import { request } from "node:http";

/** The response to a GET through a CONNECT proxy. */
export type TunnelFetchResult = { readonly connectStatus: number; readonly status?: number; readonly body: string };

/** Opens a tunnel to `authority` through the proxy and GETs `path` inside it. */
export function fetchThroughProxy(
  proxy: { host: string; port: number },
  authority: string,
  path: string,
  timeoutMs: number,
): Promise<TunnelFetchResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer through the proxy within ${timeoutMs} ms`)), timeoutMs);
    const done = (result: TunnelFetchResult): void => {
      clearTimeout(timer);
      resolve(result);
    };
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    const connectReq = request({ host: proxy.host, port: proxy.port, method: "CONNECT", path: authority, headers: { host: authority } });
    connectReq.once("error", fail);
    connectReq.once("connect", (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        done({ connectStatus: res.statusCode ?? 0, body: `${res.statusMessage ?? ""} ${String(res.headers["proxy-status"] ?? "")}`.trim() });
        return;
      }
      if (head.length > 0) socket.unshift(head);
      const get = request({ createConnection: () => socket, host: authority, path, headers: { host: authority, connection: "close" } });
      get.once("error", fail);
      get.once("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.once("end", () => {
          socket.destroy();
          done({ connectStatus: 200, status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
        });
        response.once("error", fail);
      });
      get.end();
    });
    connectReq.end();
  });
}
