// Issue 9's promise, the other way round: on an HTTPS-proxy listener a client's TLS stream that ends
// without close_notify (the client was killed, the network cut) is a truncation, so the service must
// be reset, never handed a clean end of a partial upload. A client that closes properly
// (close_notify, then FIN) still half-closes: the service reads every byte, then a clean end.
import { once } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { patternAt, PatternChecker, readPattern } from "../helpers/byte-pattern.ts";
import { testPki } from "../helpers/pki.ts";
import { listenOnLoopback } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const MIB = 1024 * 1024;

/** How the service saw one connection end: the bytes it got (checked against the pattern) and the end. */
type Ending = { readonly received: number; readonly firstMismatch: number; readonly how: "end" | string };

let service: TestService;
const endings: Array<(ending: Ending) => void> = [];

beforeAll(async () => {
  service = await listenOnLoopback(net.createServer({ allowHalfOpen: true }, (socket) => {
    const checker = new PatternChecker();
    const report = endings.shift();
    void readPattern(socket, checker).then((end) => {
      report?.({ received: checker.received, firstMismatch: checker.firstMismatch, how: end.how === "end" ? "end" : end.code ?? "error" });
      if (end.how === "end") socket.end();
    });
  }));
});
afterAll(async () => {
  await service.close();
});

/** A client of the HTTPS-proxy listener with a tunnel to the service open; `raw` is its TCP socket. */
async function tunnelOverTls(nodes: TwoNodes): Promise<{ tls: tls.TLSSocket; raw: net.Socket; ending: Promise<Ending> }> {
  const ending = new Promise<Ending>((resolve) => endings.push(resolve));
  const raw = net.connect({ host: "127.0.0.1", port: nodes.ingressPort });
  const socket = tls.connect({ socket: raw, servername: "localhost", ca: (await testPki()).ca.cert });
  await once(socket, "secureConnect");
  socket.write(`CONNECT 127.0.0.1:${service.port} HTTP/1.1\r\nHost: 127.0.0.1:${service.port}\r\n\r\n`);
  let head = "";
  while (!head.includes("\r\n\r\n")) head += String((await once(socket, "data"))[0]);
  expect(head.split("\r\n")[0]).toBe("HTTP/1.1 200 Connection Established");
  return { tls: socket, raw, ending };
}

describe.each(["h1", "h2"] as const)("HTTPS-proxy listener, peer mode %s: how the client's end reaches the service", (peerMode) => {
  let nodes: TwoNodes;
  beforeAll(async () => {
    nodes = await startTwoNodes({ ingressListenerTls: (await testPki()).peer, peerMode });
  });
  afterAll(() => nodes.close());

  it("a FIN without close_notify after 1 MiB: the service is reset, the ingress logs client_lost", async () => {
    const { tls: socket, raw, ending } = await tunnelOverTls(nodes);
    socket.on("error", () => {});
    await new Promise<void>((resolve) => socket.write(patternAt(0, MIB), () => resolve()));
    raw.end(); // the TCP FIN under TLS, with no close_notify before it
    const seen = await ending;
    expect(seen.how).toBe("ECONNRESET");
    expect(seen.received).toBeLessThanOrEqual(MIB);
    expect(seen.firstMismatch).toBe(-1); // what arrived is a true prefix of what was sent
    const close = await nodes.ingressLog.waitFor("tunnel.close", (l) => l.outcome !== "done");
    expect(close.outcome).toBe("client_lost");
  });

  it("close_notify then FIN after 1 MiB: the service reads all of it and a clean end", async () => {
    const { tls: socket, ending } = await tunnelOverTls(nodes);
    socket.end(patternAt(0, MIB));
    expect(await ending).toEqual({ received: MIB, firstMismatch: -1, how: "end" });
    socket.destroy();
  });
});
