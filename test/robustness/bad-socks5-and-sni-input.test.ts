// The bad-input table for the other two front doors: SOCKS5 and SNI listeners, sent malformed,
// unsupported, oversize, truncated and unfinished requests by a raw client. Each row checks the
// exact bytes the client gets (a SOCKS5 answer, a TLS alert record, or nothing before the close),
// the code logged (the same as over HTTP), and that a good client is served right after.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientHelloFromNode } from "../../packages/wire/src/client-hello.test-helper.ts";
import { expectServedBySni, expectServedBySocks5 } from "../helpers/front-door-clients.ts";
import { testPki } from "../helpers/pki.ts";
import { startEchoService, startHttpsService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { readToEnd } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const HEAD_TIMEOUT_MS = 1_000;
const MAX_HEAD = 4_096;

type Row = {
  readonly name: string;
  readonly send: () => Buffer | Promise<Buffer>;
  /** Keep our side open after sending (the node's deadline ends it); default: half-close. */
  readonly keepOpen?: boolean;
  /** Every byte the client must receive before the node closes. */
  readonly answer: readonly number[];
  readonly code: string;
};

/** Sends the row's bytes and reads everything until the node closes. */
async function exchange(port: number, row: Row): Promise<Buffer> {
  const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  socket.on("error", () => {});
  await new Promise((resolve) => socket.once("connect", resolve));
  const received = readToEnd(socket);
  socket.write(await row.send());
  if (row.keepOpen !== true) socket.end();
  const { data } = await received;
  socket.destroy();
  return data;
}

const reply = (code: number): number[] => [5, code, 0, 1, 0, 0, 0, 0, 0, 0];
const NO_AUTH = [5, 0];
const NONE_ACCEPTABLE = [5, 0xff];
const alert = (description: number): number[] => [21, 3, 3, 0, 2, 2, description];
const name = (host: string, port: number): number[] => [5, 1, 0, 3, host.length, ...Buffer.from(host, "latin1"), port >> 8, port & 255];
const bytes = (...parts: number[][]): () => Buffer => () => Buffer.from(parts.flat());

const SOCKS5_ROWS: readonly Row[] = [
  { name: "a SOCKS4 request", send: bytes([4, 1, 0, 80, 127, 0, 0, 1, 0]), answer: NONE_ACCEPTABLE, code: "TLSB_ERR_BAD_REQUEST" },
  { name: "a greeting with no methods", send: bytes([5, 0]), answer: NONE_ACCEPTABLE, code: "TLSB_ERR_BAD_REQUEST" },
  { name: "only username/password offered to a listener without auth", send: bytes([5, 1, 2]), answer: NONE_ACCEPTABLE, code: "TLSB_ERR_BAD_REQUEST" },
  { name: "a request with version 4", send: bytes([5, 1, 0], [4, 1, 0, 1, 127, 0, 0, 1, 0, 80]), answer: [...NO_AUTH, ...reply(1)], code: "TLSB_ERR_BAD_REQUEST" },
  { name: "the reserved byte set", send: bytes([5, 1, 0], [5, 1, 7, 1, 127, 0, 0, 1, 0, 80]), answer: [...NO_AUTH, ...reply(1)], code: "TLSB_ERR_BAD_REQUEST" },
  { name: "junk pipelined after the greeting", send: bytes([5, 1, 0], new Array<number>(2_000).fill(5)), answer: [...NO_AUTH, ...reply(1)], code: "TLSB_ERR_BAD_REQUEST" },
  { name: "address type 9", send: bytes([5, 1, 0], [5, 1, 0, 9, 1, 2, 3, 4]), answer: [...NO_AUTH, ...reply(8)], code: "TLSB_ERR_BAD_TARGET" },
  { name: "a name with a space", send: bytes([5, 1, 0], name("local host", 80)), answer: [...NO_AUTH, ...reply(8)], code: "TLSB_ERR_BAD_TARGET" },
  { name: "port 0", send: bytes([5, 1, 0], name("localhost", 0)), answer: [...NO_AUTH, ...reply(8)], code: "TLSB_ERR_BAD_TARGET" },
  { name: "BIND", send: bytes([5, 1, 0], [5, 2, 0, 1, 127, 0, 0, 1, 0, 80]), answer: [...NO_AUTH, ...reply(7)], code: "TLSB_ERR_METHOD_NOT_ALLOWED" },
  { name: "UDP ASSOCIATE", send: bytes([5, 1, 0], [5, 3, 0, 1, 127, 0, 0, 1, 0, 80]), answer: [...NO_AUTH, ...reply(7)], code: "TLSB_ERR_METHOD_NOT_ALLOWED" },
  { name: "a greeting that never ends", send: bytes([5, 2, 0]), keepOpen: true, answer: NONE_ACCEPTABLE, code: "TLSB_ERR_HEAD_TIMEOUT" },
  { name: "a request that never ends", send: bytes([5, 1, 0], [5, 1, 0, 3, 20, 97]), keepOpen: true, answer: [...NO_AUTH, ...reply(1)], code: "TLSB_ERR_HEAD_TIMEOUT" },
];

const SNI_ROWS: readonly Row[] = [
  { name: "plain HTTP", send: () => Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"), answer: [], code: "TLSB_ERR_BAD_HELLO" },
  { name: "binary junk", send: bytes([0, 1, 2, 3]), answer: [], code: "TLSB_ERR_BAD_HELLO" },
  { name: "an SSLv2-style hello", send: bytes([0x80, 0x2e, 0x01, 0x00, 0x02]), answer: [], code: "TLSB_ERR_BAD_HELLO" },
  { name: "a handshake record carrying a ServerHello", send: bytes([22, 3, 3, 0, 4, 2, 0, 0, 0]), answer: alert(50), code: "TLSB_ERR_BAD_HELLO" },
  { name: "a record longer than 2^14", send: bytes([22, 3, 1, 0x40, 0x01]), answer: alert(50), code: "TLSB_ERR_BAD_HELLO" },
  { name: "a hello larger than maxHeadBytes", send: bytes([22, 3, 1, 0x10, 0x00, 1, 0, 0x10, 0]), answer: alert(50), code: "TLSB_ERR_HEAD_TOO_LARGE" },
  { name: "a truncated hello (the client half-closes)", send: async () => (await clientHelloFromNode("localhost")).subarray(0, 100), answer: alert(50), code: "TLSB_ERR_BAD_HELLO" },
  { name: "a hello without server_name", send: () => clientHelloFromNode(undefined), answer: alert(109), code: "TLSB_ERR_NO_SNI" },
  { name: "a hello naming a host no rule matches", send: () => clientHelloFromNode("nowhere.example"), answer: alert(112), code: "TLSB_ERR_NO_ROUTE" },
  { name: "a hello that never ends", send: async () => (await clientHelloFromNode("localhost")).subarray(0, 50), keepOpen: true, answer: alert(40), code: "TLSB_ERR_HEAD_TIMEOUT" },
];

describe("bad input at a SOCKS5 listener", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
    nodes = await startTwoNodes({ ingressProtocol: "socks5", ingressLimits: { headTimeoutMs: HEAD_TIMEOUT_MS, maxHeadBytes: MAX_HEAD } });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });

  it.each(SOCKS5_ROWS)("$name: answered, logged as $code, then a good client is served", async (row) => {
    expect([...await exchange(nodes.ingressPort, row)]).toEqual(row.answer);
    await nodes.ingressLog.waitFor("request.rejected", (l) => l.code === row.code && l.protocol === "socks5");
    await expectServedBySocks5(nodes.ingressPort, echo.port);
  });

  it("nothing refused reached the peer, and nothing was logged as an error", () => {
    expect(nodes.peerLog.events("tunnel.open")).toHaveLength(SOCKS5_ROWS.length);
    expect(nodes.ingressLog.lines.filter((l) => l.level >= 50)).toHaveLength(0);
  });
});

describe("bad input at an SNI listener", () => {
  let nodes: TwoNodes;
  let secure: TestService;
  let ca: string;
  beforeAll(async () => {
    const pki = await testPki();
    ca = pki.ca.cert;
    secure = await startHttpsService(pki.service.cert, pki.service.key);
    nodes = await startTwoNodes({
      ingressProtocol: "sni", ingressTargetPort: secure.port, rules: [{ match: "localhost", peer: "cloud" }],
      ingressLimits: { headTimeoutMs: HEAD_TIMEOUT_MS, maxHeadBytes: MAX_HEAD },
    });
  });
  afterAll(async () => {
    await nodes.close();
    await secure.close();
  });

  it.each(SNI_ROWS)("$name: answered, logged as $code, then a good client is served", async (row) => {
    expect([...await exchange(nodes.ingressPort, row)]).toEqual(row.answer);
    await nodes.ingressLog.waitFor("request.rejected", (l) => l.code === row.code && l.protocol === "sni");
    await expectServedBySni(nodes.ingressPort, ca);
  });

  it("nothing refused reached the peer, and nothing was logged as an error", () => {
    expect(nodes.peerLog.events("tunnel.open")).toHaveLength(SNI_ROWS.length);
    expect(nodes.ingressLog.lines.filter((l) => l.level >= 50)).toHaveLength(0);
  });
});
