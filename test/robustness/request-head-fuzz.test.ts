// Random and mutated request heads thrown at a LIVE ingress (with its peer and an echo service
// behind it), written in random splits: every answer is a status from the table (or 200), every
// refusal carries Proxy-Status, or the connection just closes. Afterwards no socket is left open on
// either node and nothing was logged as an error. Seed: FUZZ_SEED (default fixed, so CI is stable).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERRORS } from "@tlsbridge/wire";
import { cutInto, mutate, mutations, sendAndReadToClose } from "../helpers/fuzz-input.ts";
import { startEchoService } from "../helpers/services.ts";
import type { TestService } from "../helpers/services.ts";
import { waitUntil } from "../helpers/tunnel-probe.ts";
import { startTwoNodes } from "../helpers/two-nodes.ts";
import type { TwoNodes } from "../helpers/two-nodes.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_903);
const RUNS = 250;
const ALLOWED = new Set<number>([200, ...Object.values(ERRORS).map((row) => row.status)]);

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
    const mutatedHead = mutations.map((changes) => mutate(Buffer.from(good(), "latin1"), changes));
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
        const parts = cutInto(Buffer.concat([head, earlyData]), cuts);
        // An opened tunnel stays open until one side ends it: we do, once we saw the 200.
        const answer = await sendAndReadToClose(nodes.ingressPort, parts, keepOpen,
          (received) => /^HTTP\/1\.1 200 [^\r]*\r\n(?:[^\r]*\r\n)*\r\n/.test(received.toString("latin1")));
        const response = answer.toString("latin1");
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
