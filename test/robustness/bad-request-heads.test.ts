// The bad-input table: every client-caused row of the status table, produced by a real client
// sending the bad input to a live ingress (and a few straight to the peer, which answers from the
// same table), checked for status, Proxy-Status and extra headers, and followed each time by a good
// client that must still be served. curl and openssl s_client send some of them the way users do.
import { execFile } from "node:child_process";
import net from "node:net";
import tls from "node:tls";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendRaw } from "../helpers/connect-client.ts";
import { testPki } from "../helpers/pki.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { expectServed, proxyStatusOf } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const run = promisify(execFile);
const HEAD_TIMEOUT_MS = 1_000;
const MAX_HEAD = 4_096;

type Row = {
  readonly name: string;
  readonly request: string | Buffer;
  readonly status: number;
  /** Proxy-Status error type of the one member the node writes. */
  readonly error: string;
  readonly headers?: Record<string, string>;
};

const connect = (authority: string, extra = ""): string => `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${extra}\r\n`;
const longHost = `${"a".repeat(59)}.`.repeat(5) + "example"; // 307 characters, every label valid

const ROWS: readonly Row[] = [
  { name: "GET (a plain proxy request)", request: "GET http://localhost/ HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 405, error: "http_request_denied", headers: { allow: "CONNECT" } },
  { name: "POST", request: "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", status: 405, error: "http_request_denied", headers: { allow: "CONNECT" } },
  { name: "binary junk", request: Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a]), status: 400, error: "http_request_error" },
  { name: "a header line without a colon", request: "CONNECT localhost:80 HTTP/1.1\r\nno colon here\r\n\r\n", status: 400, error: "http_request_error" },
  { name: "no HTTP version", request: "CONNECT localhost:80\r\n\r\n", status: 400, error: "http_request_error" },
  { name: "HTTP/2.0 in the request line", request: "CONNECT localhost:80 HTTP/2.0\r\n\r\n", status: 400, error: "http_request_error" },
  { name: "bare LF line ends", request: "CONNECT localhost:80 HTTP/1.1\nHost: localhost:80\n\r\n\r\n", status: 400, error: "http_request_error" },
  { name: "a CONNECT with a body (Content-Length)", request: connect("localhost:80", "Content-Length: 5\r\n"), status: 400, error: "http_request_error" },
  { name: "two Host fields", request: connect("localhost:80", "Host: other:80\r\n"), status: 400, error: "http_request_error" },
  { name: "host:0", request: connect("localhost:0"), status: 400, error: "http_request_error" },
  { name: "host:99999", request: connect("localhost:99999"), status: 400, error: "http_request_error" },
  { name: "no port", request: connect("localhost"), status: 400, error: "http_request_error" },
  { name: "unterminated IPv6 literal [::1", request: connect("[::1:443"), status: 400, error: "http_request_error" },
  { name: "empty host", request: connect(":443"), status: 400, error: "http_request_error" },
  { name: "a control character in the host", request: connect("local\x01host:443"), status: 400, error: "http_request_error" },
  { name: "a DEL in the host", request: connect("local\x7fhost:443"), status: 400, error: "http_request_error" },
  { name: "a 300-character host", request: connect(`${longHost}:443`), status: 400, error: "http_request_error" },
  { name: "a 64-character label", request: connect(`${"b".repeat(64)}.example:443`), status: 400, error: "http_request_error" },
  { name: "origin-form target", request: "CONNECT /path HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 400, error: "http_request_error" },
  { name: "a head over the size limit", request: connect("localhost:80", `X-Fill: ${"f".repeat(MAX_HEAD)}\r\n`), status: 431, error: "http_request_error" },
  { name: "a head that never ends (sent, then nothing)", request: "CONNECT localhost:80 HTTP/1.1\r\nHost: loc", status: 408, error: "http_request_error" },
  { name: "a request that already passed this node (Via)", request: connect("localhost:80", "Via: 1.1 other, 1.1 test-ingress\r\n"), status: 508, error: "proxy_loop_detected" },
];

describe("bad request heads at the ingress", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
    nodes = await startTwoNodes({ ingressLimits: { headTimeoutMs: HEAD_TIMEOUT_MS, maxHeadBytes: MAX_HEAD } });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });

  it.each(ROWS)("$name: $status $error, then the next good client is served", async (row) => {
    const reply = await sendRaw(nodes.ingressPort, row.request);
    const closed = new Promise((resolve) => reply.socket.once("close", resolve));
    reply.socket.resume();
    expect(reply.status).toBe(row.status);
    expect(proxyStatusOf(reply.headers)).toMatch(new RegExp(`^test-ingress; error=${row.error}(; details="[^"]*")?$`));
    expect(reply.headers.get("connection")).toEqual(["close"]);
    for (const [name, value] of Object.entries(row.headers ?? {})) expect(reply.headers.get(name)).toEqual([value]);
    reply.socket.end();
    await closed; // the ingress closes the connection after a refusal
    await expectServed(nodes.ingressPort, echo.port);
  });

  it("refused requests never reach the peer", () => {
    expect(nodes.peerLog.events("tunnel.open").length).toBe(nodes.ingressLog.events("tunnel.open").length);
    expect(nodes.ingressLog.events("request.rejected").filter((l) => l.status !== undefined).length).toBeGreaterThanOrEqual(ROWS.length);
    expect(nodes.ingressLog.events("internal.error")).toHaveLength(0);
    expect(nodes.ingressLog.lines.filter((l) => l.level >= 50)).toHaveLength(0);
  });

  it("curl: a plain proxy request (forgot -p) gets 405, a bad port and a 300-character host get 400", async () => {
    const proxy = ["-sS", "--max-time", "10", "-o", "/dev/null", "-x", `http://127.0.0.1:${nodes.ingressPort}`];
    const plain = await run("curl", [...proxy, "-w", "%{http_code}", `http://localhost:${echo.port}/`]);
    expect(plain.stdout).toBe("405");
    for (const url of ["http://localhost:0/", `http://${"a".repeat(300)}:80/`]) {
      const tunnelled = await run("curl", [...proxy, "-p", "-w", "%{http_connect}", url]).catch((err: { stdout: string; stderr: string }) => err);
      expect(tunnelled.stdout).toBe("400");
      expect(tunnelled.stderr).toContain("CONNECT tunnel failed, response 400");
    }
    await expectServed(nodes.ingressPort, echo.port);
  });

  // Issue 15: a URL as the CONNECT target was answered "IPv6 literal must be in brackets" (the
  // colons of `http://`), while `check` said correctly that it is a URL.
  it("CONNECT http://localhost:9080/ gets 400 saying it is a URL, as `check` says", async () => {
    const reply = await sendRaw(nodes.ingressPort, connect("http://localhost:9080/"));
    reply.socket.destroy();
    expect(reply.status).toBe(400);
    expect(proxyStatusOf(reply.headers)).toBe('test-ingress; error=http_request_error; details="a URL, not a CONNECT target"');
  });

  it("openssl s_client -proxy with port 99999 gets 400", async () => {
    const result = await run("openssl", ["s_client", "-proxy", `127.0.0.1:${nodes.ingressPort}`, "-connect", "localhost:99999"], { timeout: 10_000 })
      .catch((err: { stdout: string; stderr: string }) => err);
    expect(`${result.stdout}${result.stderr}`).toContain("HTTP CONNECT failed, reason= 400 Bad Request");
    await expectServed(nodes.ingressPort, echo.port);
  });
});

describe("bad request heads straight at the peer (same table, the peer's name)", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
    nodes = await startTwoNodes({ peerLimits: { headTimeoutMs: HEAD_TIMEOUT_MS, maxHeadBytes: MAX_HEAD } });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });

  async function sendToPeer(request: string | Buffer): Promise<string> {
    const pki = await testPki();
    const socket = tls.connect({
      host: "127.0.0.1", port: nodes.peer.port, servername: "localhost",
      ca: pki.ca.cert, cert: pki.ingress.cert, key: pki.ingress.key,
    });
    socket.on("error", () => {});
    await new Promise((resolve) => socket.once("secureConnect", resolve));
    socket.write(request);
    let text = "";
    for await (const chunk of socket as AsyncIterable<Buffer>) text += chunk.toString("latin1");
    return text;
  }

  const PEER_ROWS = ROWS.filter((row) => ["GET (a plain proxy request)", "host:0", "unterminated IPv6 literal [::1", "a head over the size limit", "a head that never ends (sent, then nothing)"].includes(row.name))
    .concat([{ name: "a request that already passed this peer (Via)", request: connect("localhost:80", "Via: 1.1 test-peer\r\n"), status: 508, error: "proxy_loop_detected" }]);

  it.each(PEER_ROWS)("$name: $status $error from test-peer", async (row) => {
    const response = await sendToPeer(row.request);
    expect(response).toMatch(new RegExp(`^HTTP/1\\.1 ${row.status} `));
    expect(response).toMatch(new RegExp(`\r\nProxy-Status: test-peer; error=${row.error}(; details="[^"]*")?\r\n`));
    await expectServed(nodes.ingressPort, echo.port);
  });

  it("a plain TCP client without TLS is refused at the handshake and logged as auth.denied", async () => {
    const socket = net.connect({ host: "127.0.0.1", port: nodes.peer.port });
    socket.on("error", () => {});
    socket.end("CONNECT localhost:80 HTTP/1.1\r\n\r\n");
    await new Promise((resolve) => socket.once("close", resolve));
    const denied = await nodes.peerLog.waitFor("auth.denied");
    expect(denied.reason).toBe("protocol");
    await expectServed(nodes.ingressPort, echo.port);
  });
});
