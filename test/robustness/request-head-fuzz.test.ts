// Random and mutated request heads thrown at a LIVE ingress (with its peer and an echo service
// behind it), written in random splits: every answer is a status from the table (or 200), every
// refusal carries Proxy-Status, or the connection just closes. Afterwards no socket is left open on
// either node and nothing was logged as an error. Seed: FUZZ_SEED (default fixed, so CI is stable).
import net from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERRORS } from "@tlsbridge/wire";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_903);
const RUNS = 250;
const ALLOWED = new Set<number>([200, ...Object.values(ERRORS).map((row) => row.status)]);

type Outcome = { response: string; closedBy: "node" | "us" };

/** Writes `parts` (a tick apart), half-closes unless `keepOpen`, and reads until the node closes. */
function throwAt(port: number, parts: Buffer[], keepOpen: boolean): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    let response = "";
    let closedBy: Outcome["closedBy"] = "node";
    const timer = setTimeout(() => reject(new Error(`no close within 8 s; got ${JSON.stringify(response.slice(0, 200))}`)), 8_000);
    socket.on("error", () => {}); // a reset is one way of closing
    socket.on("data", (chunk: Buffer) => {
      response += chunk.toString("latin1");
      // An opened tunnel stays open until one side ends it: we do, once we saw the 200.
      if (/^HTTP\/1\.1 200 [^\r]*\r\n(?:[^\r]*\r\n)*\r\n/.test(response) && !socket.writableEnded) {
        closedBy = "us";
        socket.end();
      }
    });
    // The node's FIN (or reset) is its close; our own half stays open only because allowHalfOpen.
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ response, closedBy });
    };
    socket.on("end", done);
    socket.on("close", done);
    socket.on("connect", async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        await new Promise((r) => setImmediate(r));
      }
      if (!keepOpen && !socket.destroyed) socket.end();
    });
  });
}

describe("fuzzed request heads against a live ingress", () => {
  let nodes: TwoNodes;
  let echo: TestService;
  beforeAll(async () => {
    echo = await startEchoService();
    nodes = await startTwoNodes({
      rules: [{ match: "localhost|127[.]0[.]0[.]1|[a-z]+[.]example", peer: "cloud" }],
      ingressLimits: { headTimeoutMs: 300, maxHeadBytes: 2_048 },
    });
  });
  afterAll(async () => {
    await nodes.close();
    await echo.close();
  });

  it("always answers from the table or closes, never crashes, leaks no socket", async () => {
    const good = (): string => `CONNECT localhost:${echo.port} HTTP/1.1\r\nHost: localhost:${echo.port}\r\n\r\n`;
    const token = fc.constantFrom("CONNECT", "GET", "connect", "CONNECT ", "", "PRI", "C\u0000NNECT");
    const target = fc.oneof(
      fc.constantFrom(`localhost:${echo.port}`, `127.0.0.1:${echo.port}`, "localhost:0", "localhost:99999", "[::1", "[::1]:80",
        ":80", "a.example:443", "nowhere.invalid:443", "localhost", "localhost:080", "%00:1"),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 300 }),
    );
    const version = fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "HTTP/2", "http/1.1", "", "HTTP/1.1 extra");
    const header = fc.oneof(
      fc.constantFrom("Host: localhost", "Content-Length: 0", "Content-Length: 7", "Transfer-Encoding: chunked", "Via: 1.1 test-ingress",
        "Proxy-Authorization: Basic Zm9vOmJhcg==", "X: \u0001", " folded", "NoColon", ": empty name", `X-Long: ${"x".repeat(3_000)}`),
      fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), fc.string({ maxLength: 30 })).map(([n, v]) => `${n}: ${v}`),
    );
    const lineEnd = fc.constantFrom("\r\n", "\n", "\r", "\r\n\r\n");
    const grammarHead = fc.tuple(token, target, version, fc.array(fc.tuple(header, lineEnd), { maxLength: 5 }), fc.boolean())
      .map(([m, t, v, hs, finished]) => Buffer.from(`${m} ${t} ${v}\r\n${hs.map(([h, e]) => h + e).join("")}${finished ? "\r\n" : ""}`, "latin1"));
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    );
    const mutatedHead = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((mutations) => {
      let bytes = Buffer.from(good(), "latin1");
      for (const m of mutations) {
        const at = bytes.length === 0 ? 0 : m.at % bytes.length;
        if (m.kind === "flip") { bytes = Buffer.from(bytes); bytes[at] = m.byte; }
        else if (m.kind === "insert") bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
        else if (m.kind === "delete") bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
        else bytes = bytes.subarray(0, at);
      }
      return bytes;
    });
    const randomBytes = fc.uint8Array({ maxLength: 3_000 }).map((b) => Buffer.from(b));
    const input = fc.record({
      head: fc.oneof(
        { weight: 3, arbitrary: mutatedHead },
        { weight: 3, arbitrary: grammarHead },
        { weight: 1, arbitrary: randomBytes },
        { weight: 1, arbitrary: fc.constant(null).map(() => Buffer.from(good(), "latin1")) },
      ),
      earlyData: fc.oneof(fc.constant(Buffer.alloc(0)), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b))),
      cuts: fc.array(fc.nat(), { maxLength: 3 }),
      keepOpen: fc.integer({ min: 0, max: 19 }).map((n) => n === 0), // mostly half-close; sometimes wait for the head timeout
    });

    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(input, async ({ head, earlyData, cuts, keepOpen }) => {
        const bytes = Buffer.concat([head, earlyData]);
        const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
        const parts = [0, ...points].map((from, i) => bytes.subarray(from, [...points, bytes.length][i])).filter((p) => p.length > 0);
        const { response } = await throwAt(nodes.ingressPort, parts, keepOpen);
        if (response === "") {
          seen.set("closed", (seen.get("closed") ?? 0) + 1);
          return;
        }
        const status = /^HTTP\/1\.1 (\d{3}) /.exec(response);
        expect(status, JSON.stringify(response.slice(0, 120))).not.toBeNull();
        const code = Number(status?.[1]);
        seen.set(String(code), (seen.get(String(code)) ?? 0) + 1);
        expect(ALLOWED.has(code), `status ${code}`).toBe(true);
        if (code !== 200) expect(response).toMatch(/\r\nProxy-Status: [^\r]+\r\n/);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log("fuzz outcomes", Object.fromEntries(seen));
    // A spread of outcomes, so the generators really reach every stage of the ingress.
    expect(seen.get("400")).toBeGreaterThan(20);
    expect(seen.get("200")).toBeGreaterThan(5);
    expect(seen.get("closed")).toBeGreaterThan(5);
    await waitUntil(() => nodes.ingress.activeConnections() === 0 && nodes.peer.activeConnections() === 0, "both nodes to have no connection left");
    expect([...nodes.ingressLog.lines, ...nodes.peerLog.lines].filter((l) => l.level >= 50)).toEqual([]);
  }, 60_000);
});
