// Slowloris at the SOCKS5 and SNI front doors: connections trickling their request a byte at a
// time (a SOCKS5 trickler gets its greeting answered midway and keeps going: one deadline covers the
// whole conversation). A good client is served while every trickler is still open, and each
// trickler gets its door's answer (SOCKS5 reply 01, TLS alert handshake_failure) at the deadline.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientHelloFromNode } from "../../packages/wire/src/client-hello.test-helper.ts";
import { expectServedBySni, expectServedBySocks5 } from "../helpers/front-door-clients.ts";
import { testPki } from "../helpers/pki.ts";
import { startEchoService, startHttpsService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { readToEnd, waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

// Long enough that a good client's round trip fits before it even on a loaded machine.
const HEAD_TIMEOUT_MS = 4_000;
const TRICKLERS = 100;

type Trickled = { readonly answer: Buffer; readonly closedAfterMs: number };

/** Connects and sends one byte of `bytes` every `everyMs`, whatever comes back, until the node closes. */
function trickle(port: number, bytes: Buffer, everyMs: number): Promise<Trickled> {
  const socket = net.connect({ port, host: "127.0.0.1" });
  const started = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.writable && sent < bytes.length) socket.write(bytes.subarray(sent, ++sent));
  }, everyMs);
  return readToEnd(socket).then(({ data }) => {
    clearInterval(timer);
    socket.destroy();
    return { answer: data, closedAfterMs: performance.now() - started };
  });
}

type Door = {
  readonly protocol: "socks5" | "sni";
  /** A request far longer than the deadline lets a trickler send. */
  readonly slowRequest: () => Promise<Buffer>;
  /** Every byte a trickler gets: for SOCKS5 the method choice, then the reply at the deadline. */
  readonly answer: readonly number[];
};

const DOORS: readonly Door[] = [
  {
    protocol: "socks5",
    slowRequest: () => Promise.resolve(Buffer.from([5, 1, 0, 5, 1, 0, 3, 255, ...Buffer.alloc(255, "a"), 1, 187])),
    answer: [5, 0, 5, 1, 0, 1, 0, 0, 0, 0, 0, 0],
  },
  { protocol: "sni", slowRequest: () => clientHelloFromNode("localhost"), answer: [21, 3, 3, 0, 2, 2, 40] },
];

describe.each(DOORS)("slowloris at the $protocol door", (door) => {
  let nodes: TwoNodes;
  let echo: TestService;
  let secure: TestService;
  let ca: string;
  beforeAll(async () => {
    const pki = await testPki();
    ca = pki.ca.cert;
    echo = await startEchoService();
    secure = await startHttpsService(pki.service.cert, pki.service.key);
    nodes = await startTwoNodes({
      ingressProtocol: door.protocol,
      ...(door.protocol === "sni" ? { ingressTargetPort: secure.port } : {}),
      ingressLimits: { headTimeoutMs: HEAD_TIMEOUT_MS },
    });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
    await secure.close();
  });

  /** One good client through the door: an echo round trip (SOCKS5), a verified TLS handshake (SNI). */
  const served = (): Promise<void> =>
    door.protocol === "socks5" ? expectServedBySocks5(nodes.ingressPort, echo.port) : expectServedBySni(nodes.ingressPort, ca);

  it(`${TRICKLERS} tricklers do not keep a good client waiting, and each gets the door's answer at the deadline`, async () => {
    const request = await door.slowRequest();
    const tricklers = Array.from({ length: TRICKLERS }, () => trickle(nodes.ingressPort, request, 100));
    let closed = 0;
    for (const t of tricklers) void t.then(() => (closed += 1));
    await waitUntil(() => nodes.ingress.activeConnections() >= TRICKLERS, "every trickler to be accepted", 30_000);

    for (let i = 0; i < 3; i++) await served();
    expect(closed).toBe(0); // served while they were all still trickling

    for (const { answer, closedAfterMs } of await Promise.all(tricklers)) {
      expect([...answer]).toEqual(door.answer);
      // Not before the deadline (load only delays timers), and long before a deadline renewed by each
      // byte would end it (a byte every 100 ms of a request of 265 or more bytes: over 26 s).
      expect(closedAfterMs).toBeGreaterThanOrEqual(HEAD_TIMEOUT_MS - 50);
      expect(closedAfterMs).toBeLessThan(HEAD_TIMEOUT_MS + 20_000);
    }
    await waitUntil(() => nodes.ingress.activeConnections() === 0, "no connection left at the ingress");
    expect(nodes.ingressLog.events("request.rejected").filter((l) => l.code === "TLSB_ERR_HEAD_TIMEOUT")).toHaveLength(TRICKLERS);
  }, 60_000);
});
